package dev.mandate.broker.admin.scopes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.admin.AdminChanges;
import dev.mandate.broker.admin.AdminRefusal;
import dev.mandate.broker.admin.Pages;
import dev.mandate.broker.admin.Validation;
import dev.mandate.catalog.ScopeName;
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

/** {@code /admin/v1/scopes}: the scope catalog (SPEC §1). PUT replaces a scope; If-Match guards lost updates. */
@RestController
@RequestMapping("/admin/v1/scopes")
class ScopesController {

    record ScopeRequest(String name, String resourceServerId, String description, Integer defaultTtlSeconds,
                        Integer maxTtlSeconds, Long maxBudget, Boolean delegable) {
    }

    record ScopeView(String name, String resourceServerId, String description, int defaultTtlSeconds, int maxTtlSeconds,
                     Long maxBudget, boolean delegable, long version, Instant createdAt, Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final AdminChanges changes;
    private final long maxTtl;

    ScopesController(JdbcClient jdbc, AdminChanges changes, MandateProperties properties) {
        this.jdbc = jdbc;
        this.changes = changes;
        this.maxTtl = properties.maxTokenTtl().toSeconds();
    }

    @PostMapping(consumes = "application/json")
    ResponseEntity<ScopeView> create(@RequestBody ScopeRequest request) {
        ScopeRequest r = validate(request, true);
        if (count("SELECT count(*) FROM scopes WHERE name = ?", r.name()) > 0) {
            throw AdminRefusal.conflict("scope '" + r.name() + "' already exists");
        }
        ScopeView view = changes.apply("admin.scope.create", r.name(), () -> {
            jdbc.sql("""
                    INSERT INTO scopes (name, resource_server_id, description, default_ttl_seconds, max_ttl_seconds, max_budget, delegable)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")
                    .params(r.name(), r.resourceServerId(), r.description(), r.defaultTtlSeconds(), r.maxTtlSeconds(),
                            r.maxBudget(), r.delegable()).update();
            return find(r.name());
        });
        return ResponseEntity.status(201).eTag("\"" + view.version() + "\"").body(view);
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor,
                             @RequestParam(name = "resource_server_id", required = false) String resourceServerId) {
        int n = Pages.limit(limit);
        List<ScopeView> rows = jdbc.sql(SELECT + " WHERE name > ? AND (?::text IS NULL OR resource_server_id = ?) ORDER BY name LIMIT ?")
                .params(Pages.after(cursor), resourceServerId, resourceServerId, n + 1).query(ScopesController::map).list();
        return Pages.page(rows, n, ScopeView::name);
    }

    @GetMapping("/{name}")
    ResponseEntity<ScopeView> get(@PathVariable String name) {
        ScopeView view = find(name);
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @PutMapping(path = "/{name}", consumes = "application/json")
    ResponseEntity<ScopeView> update(@PathVariable String name, @RequestBody ScopeRequest request,
                                     @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Validation.samePathId(request.name(), name, "name");
        ScopeRequest r = validate(new ScopeRequest(name, request.resourceServerId(), request.description(),
                request.defaultTtlSeconds(), request.maxTtlSeconds(), request.maxBudget(), request.delegable()), false);
        Long expected = Pages.ifMatch(ifMatch);
        ScopeView current = find(name);
        if (!current.resourceServerId().equals(r.resourceServerId())) {
            throw new AdminRefusal(400, "validation", "a scope cannot move to another resource server",
                    List.of(Map.of("field", "resource_server_id", "message", "cannot change")));
        }
        ScopeView view = changes.apply("admin.scope.update", name, () -> {
            int updated = jdbc.sql("""
                    UPDATE scopes SET description = ?, default_ttl_seconds = ?, max_ttl_seconds = ?, max_budget = ?, delegable = ?,
                        version = version + 1, updated_at = now()
                    WHERE name = ? AND (?::bigint IS NULL OR version = ?)""")
                    .params(r.description(), r.defaultTtlSeconds(), r.maxTtlSeconds(), r.maxBudget(), r.delegable(), name,
                            expected, expected).update();
            if (updated == 0) {
                throw AdminRefusal.conflict("the scope was changed since version " + expected + "; read it again");
            }
            return find(name);
        });
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        find(name);
        if (count("SELECT count(*) FROM agent_allowed_scopes WHERE scope_name = ?", name) > 0) {
            throw AdminRefusal.conflict("scope '" + name + "' is still allowed to agents; remove it from them first");
        }
        changes.apply("admin.scope.delete", name, () -> jdbc.sql("DELETE FROM scopes WHERE name = ?").param(name).update());
        return ResponseEntity.noContent().build();
    }

    private ScopeRequest validate(ScopeRequest request, boolean creating) {
        int defaultTtl = request.defaultTtlSeconds() == null ? 300 : request.defaultTtlSeconds();
        int max = request.maxTtlSeconds() == null ? (int) Math.min(900, maxTtl) : request.maxTtlSeconds();
        Validation v = new Validation();
        v.require(ScopeName.isValid(request.name()), "name", "must be 1-128 RFC 6749 scope-token characters");
        v.slug(request.resourceServerId(), "resource_server_id");
        v.require(request.description() == null || request.description().length() <= 1024, "description", "at most 1024 characters");
        v.require(defaultTtl > 0, "default_ttl_seconds", "must be positive");
        v.require(max > 0 && max <= maxTtl, "max_ttl_seconds", "must be positive and at most the broker's cap of " + maxTtl);
        v.require(defaultTtl <= max, "default_ttl_seconds", "must not exceed max_ttl_seconds");
        v.require(request.maxBudget() == null || request.maxBudget() > 0, "max_budget", "must be positive");
        v.orRefuse();
        if (creating && count("SELECT count(*) FROM resource_servers WHERE id = ?", request.resourceServerId()) == 0) {
            throw new AdminRefusal(400, "validation", "resource_server_id names no resource server",
                    List.of(Map.of("field", "resource_server_id", "message", "does not exist")));
        }
        return new ScopeRequest(request.name(), request.resourceServerId(),
                request.description() == null ? "" : request.description(), defaultTtl, max, request.maxBudget(),
                request.delegable() == null || request.delegable());
    }

    private long count(String sql, String value) {
        return jdbc.sql(sql).param(value).query(Long.class).single();
    }

    private static final String SELECT = """
            SELECT name, resource_server_id, description, default_ttl_seconds, max_ttl_seconds, max_budget, delegable, version,
                   created_at, updated_at FROM scopes""";

    private ScopeView find(String name) {
        return jdbc.sql(SELECT + " WHERE name = ?").param(name).query(ScopesController::map).optional()
                .orElseThrow(() -> AdminRefusal.notFound("scope"));
    }

    private static ScopeView map(ResultSet rs, int n) throws SQLException {
        long budget = rs.getLong("max_budget");
        Long maxBudget = rs.wasNull() ? null : budget;
        return new ScopeView(rs.getString("name"), rs.getString("resource_server_id"), rs.getString("description"),
                rs.getInt("default_ttl_seconds"), rs.getInt("max_ttl_seconds"), maxBudget, rs.getBoolean("delegable"),
                rs.getLong("version"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
