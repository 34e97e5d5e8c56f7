package dev.mandate.broker.admin.agents;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import dev.mandate.broker.admin.AdminChanges;
import dev.mandate.broker.admin.AdminRefusal;
import dev.mandate.broker.admin.Pages;
import dev.mandate.broker.admin.Validation;
import dev.mandate.broker.tokens.IssuedTokenStore;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/v1/agents}: registered workloads (SPEC §1). Disabling or deleting an agent revokes
 * its live tokens, with everything delegated from them.
 */
@RestController
@RequestMapping("/admin/v1/agents")
class AgentsController {

    record AgentRequest(String id, String issuerId, String subject, List<String> allowedScopes, List<String> mayDelegateTo,
                        Integer maxDelegationDepth, Integer maxTtlSeconds, Boolean enabled) {
    }

    record AgentView(String id, String issuerId, String subject, List<String> allowedScopes, List<String> mayDelegateTo,
                     int maxDelegationDepth, Integer maxTtlSeconds, boolean enabled, long version, Instant createdAt,
                     Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final AdminChanges changes;
    private final IssuedTokenStore tokens;
    private final Clock clock;

    AgentsController(JdbcClient jdbc, AdminChanges changes, IssuedTokenStore tokens, Clock clock) {
        this.jdbc = jdbc;
        this.changes = changes;
        this.tokens = tokens;
        this.clock = clock;
    }

    @PostMapping(consumes = "application/json")
    ResponseEntity<AgentView> create(@RequestBody AgentRequest request) {
        AgentRequest r = validate(request, true, null);
        if (count("SELECT count(*) FROM agents WHERE id = ?", r.id()) > 0) {
            throw AdminRefusal.conflict("agent '" + r.id() + "' already exists");
        }
        if (count("SELECT count(*) FROM agents WHERE issuer_id = ? AND subject = ?", r.issuerId(), r.subject()) > 0) {
            throw AdminRefusal.conflict("another agent of this issuer already has this subject");
        }
        AgentView view = changes.apply("admin.agent.create", r.id(), () -> {
            jdbc.sql("""
                    INSERT INTO agents (id, issuer_id, subject, max_delegation_depth, max_ttl_seconds, enabled)
                    VALUES (?, ?, ?, ?, ?, ?)""")
                    .params(r.id(), r.issuerId(), r.subject(), r.maxDelegationDepth(), r.maxTtlSeconds(), r.enabled()).update();
            writeLinks(r);
            return find(r.id());
        });
        return ResponseEntity.status(201).eTag("\"" + view.version() + "\"").body(view);
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int n = Pages.limit(limit);
        List<AgentView> rows = jdbc.sql(SELECT + " WHERE a.id > ? ORDER BY a.id LIMIT ?").params(Pages.after(cursor), n + 1)
                .query(AgentsController::map).list();
        return Pages.page(rows, n, AgentView::id);
    }

    @GetMapping("/{id}")
    ResponseEntity<AgentView> get(@PathVariable String id) {
        AgentView view = find(id);
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @PutMapping(path = "/{id}", consumes = "application/json")
    ResponseEntity<AgentView> update(@PathVariable String id, @RequestBody AgentRequest request,
                                     @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Validation.samePathId(request.id(), id, "id");
        AgentView current = find(id);
        AgentRequest r = validate(new AgentRequest(id, request.issuerId(), request.subject(), request.allowedScopes(),
                request.mayDelegateTo(), request.maxDelegationDepth(), request.maxTtlSeconds(), request.enabled()), false, current);
        Long expected = Pages.ifMatch(ifMatch);
        AgentView view = changes.apply("admin.agent.update", id, () -> {
            int updated = jdbc.sql("""
                    UPDATE agents SET subject = ?, max_delegation_depth = ?, max_ttl_seconds = ?, enabled = ?,
                        version = version + 1, updated_at = now()
                    WHERE id = ? AND (?::bigint IS NULL OR version = ?)""")
                    .params(r.subject(), r.maxDelegationDepth(), r.maxTtlSeconds(), r.enabled(), id, expected, expected).update();
            if (updated == 0) {
                throw AdminRefusal.conflict("the agent was changed since version " + expected + "; read it again");
            }
            jdbc.sql("DELETE FROM agent_allowed_scopes WHERE agent_id = ?").param(id).update();
            jdbc.sql("DELETE FROM agent_delegates WHERE agent_id = ?").param(id).update();
            writeLinks(r);
            if (!r.enabled()) {
                revokeLiveTokens(id, "agent_disabled");
            }
            return find(id);
        });
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        find(id);
        if (count("SELECT count(*) FROM agent_delegates WHERE delegate_id = ? AND agent_id <> ?", id, id) > 0) {
            throw AdminRefusal.conflict("other agents may still delegate to '" + id + "'; remove it from their may_delegate_to first");
        }
        changes.apply("admin.agent.delete", id, () -> {
            revokeLiveTokens(id, "agent_deleted");
            return jdbc.sql("DELETE FROM agents WHERE id = ?").param(id).update();
        });
        return ResponseEntity.noContent().build();
    }

    private void revokeLiveTokens(String agentId, String reason) {
        Instant now = clock.instant();
        for (String jti : jdbc.sql("SELECT jti FROM tokens WHERE agent_id = ? AND revoked_at IS NULL AND expires_at > ?")
                .params(agentId, java.sql.Timestamp.from(now)).query(String.class).list()) {
            tokens.revokeCascade(jti, reason, now);
        }
    }

    private void writeLinks(AgentRequest r) {
        for (String scope : r.allowedScopes()) {
            jdbc.sql("INSERT INTO agent_allowed_scopes (agent_id, scope_name) VALUES (?, ?)").params(r.id(), scope).update();
        }
        for (String delegate : r.mayDelegateTo()) {
            jdbc.sql("INSERT INTO agent_delegates (agent_id, delegate_id) VALUES (?, ?)").params(r.id(), delegate).update();
        }
    }

    private AgentRequest validate(AgentRequest request, boolean creating, AgentView current) {
        Validation v = new Validation();
        if (creating) {
            v.slug(request.id(), "id");
            v.slug(request.issuerId(), "issuer_id");
        } else {
            v.require(request.issuerId() == null || request.issuerId().equals(current.issuerId()), "issuer_id",
                    "an agent cannot move to another issuer");
        }
        v.text(request.subject(), "subject", 512, true);
        List<String> scopes = request.allowedScopes() == null ? List.of() : request.allowedScopes();
        List<String> delegates = request.mayDelegateTo() == null ? List.of() : request.mayDelegateTo();
        v.require(scopes.size() <= 256 && scopes.stream().allMatch(s -> s != null && s.length() <= 128), "allowed_scopes", "at most 256 scope names");
        v.require(delegates.size() <= 256 && delegates.stream().allMatch(d -> d != null && Validation.SLUG.matcher(d).matches()),
                "may_delegate_to", "at most 256 agent ids");
        int depth = request.maxDelegationDepth() == null ? 3 : request.maxDelegationDepth();
        v.require(depth >= 0 && depth <= 16, "max_delegation_depth", "must be 0..16");
        v.require(request.maxTtlSeconds() == null || request.maxTtlSeconds() > 0, "max_ttl_seconds", "must be positive");
        v.orRefuse();
        Validation refs = new Validation();
        String issuerId = creating ? request.issuerId() : current.issuerId();
        refs.require(count("SELECT count(*) FROM trusted_issuers WHERE id = ?", issuerId) > 0, "issuer_id", "names no trusted issuer");
        List<String> distinctScopes = List.copyOf(new LinkedHashSet<>(scopes));
        List<String> distinctDelegates = List.copyOf(new LinkedHashSet<>(delegates));
        refs.require(distinctScopes.isEmpty() || count("SELECT count(*) FROM scopes WHERE name = ANY(?)",
                (Object) distinctScopes.toArray(String[]::new)) == distinctScopes.size(), "allowed_scopes", "names a scope that does not exist");
        refs.require(distinctDelegates.stream().allMatch(d -> d.equals(request.id())
                || count("SELECT count(*) FROM agents WHERE id = ?", d) > 0), "may_delegate_to", "names an agent that does not exist");
        refs.require(!distinctDelegates.contains(request.id()), "may_delegate_to", "an agent cannot delegate to itself");
        refs.orRefuse();
        return new AgentRequest(request.id(), issuerId, request.subject(), distinctScopes, distinctDelegates, depth,
                request.maxTtlSeconds(), request.enabled() == null || request.enabled());
    }

    private long count(String sql, Object... values) {
        return jdbc.sql(sql).params(values).query(Long.class).single();
    }

    private static final String SELECT = """
            SELECT a.id, a.issuer_id, a.subject, a.max_delegation_depth, a.max_ttl_seconds, a.enabled, a.version,
                   a.created_at, a.updated_at,
                   ARRAY(SELECT s.scope_name::text FROM agent_allowed_scopes s WHERE s.agent_id = a.id ORDER BY 1) AS scopes,
                   ARRAY(SELECT d.delegate_id::text FROM agent_delegates d WHERE d.agent_id = a.id ORDER BY 1) AS delegates
            FROM agents a""";

    private AgentView find(String id) {
        return jdbc.sql(SELECT + " WHERE a.id = ?").param(id).query(AgentsController::map).optional()
                .orElseThrow(() -> AdminRefusal.notFound("agent"));
    }

    private static AgentView map(ResultSet rs, int n) throws SQLException {
        int ttl = rs.getInt("max_ttl_seconds");
        Integer maxTtl = rs.wasNull() ? null : ttl;
        return new AgentView(rs.getString("id"), rs.getString("issuer_id"), rs.getString("subject"),
                List.of((String[]) rs.getArray("scopes").getArray()), List.of((String[]) rs.getArray("delegates").getArray()),
                rs.getInt("max_delegation_depth"), maxTtl, rs.getBoolean("enabled"), rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
