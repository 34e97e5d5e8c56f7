package dev.mandate.broker.admin.resourceservers;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.admin.AdminChanges;
import dev.mandate.broker.admin.AdminRefusal;
import dev.mandate.broker.admin.Pages;
import dev.mandate.broker.admin.Validation;
import dev.mandate.broker.credentials.ResourceServerSecrets;
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
 * {@code /admin/v1/resource-servers}: the APIs that accept Mandate tokens. Their client secret
 * (256 bits from a CSPRNG) is shown once, on create and on rotation, and stored only as a keyed hash.
 */
@RestController
@RequestMapping("/admin/v1/resource-servers")
class ResourceServersController {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern UNIT = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    record ResourceServerRequest(String id, String audience, String budgetUnit) {
    }

    record ResourceServerView(String id, String audience, String budgetUnit, Instant previousSecretValidUntil, long version,
                              Instant createdAt, Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final AdminChanges changes;
    private final ResourceServerSecrets secrets;
    private final Clock clock;
    private final Duration overlap;

    ResourceServersController(JdbcClient jdbc, AdminChanges changes, ResourceServerSecrets secrets, Clock clock,
                              MandateProperties properties) {
        this.jdbc = jdbc;
        this.changes = changes;
        this.secrets = secrets;
        this.clock = clock;
        this.overlap = properties.resourceServerSecretOverlap();
    }

    @PostMapping(consumes = "application/json")
    ResponseEntity<Map<String, Object>> create(@RequestBody ResourceServerRequest request) {
        validate(request, true);
        if (count("SELECT count(*) FROM resource_servers WHERE id = ?", request.id()) > 0) {
            throw AdminRefusal.conflict("resource server '" + request.id() + "' already exists");
        }
        if (count("SELECT count(*) FROM resource_servers WHERE audience = ?", request.audience()) > 0) {
            throw AdminRefusal.conflict("another resource server already has this audience");
        }
        String secret = newSecret();
        ResourceServerView view = changes.apply("admin.resource-server.create", request.id(), () -> {
            jdbc.sql("INSERT INTO resource_servers (id, audience, budget_unit, secret_hmac) VALUES (?, ?, ?, ?)")
                    .params(request.id(), request.audience(), unit(request), secrets.hmac(secret)).update();
            return find(request.id());
        });
        return ResponseEntity.status(201).header("Cache-Control", "no-store").eTag("\"" + view.version() + "\"")
                .body(withSecret(view, secret));
    }

    @PostMapping("/{id}/secret")
    ResponseEntity<Map<String, Object>> rotate(@PathVariable String id) {
        find(id);
        String secret = newSecret();
        Instant until = clock.instant().plus(overlap);
        ResourceServerView view = changes.apply("admin.resource-server.rotate-secret", id, () -> {
            jdbc.sql("""
                    UPDATE resource_servers SET previous_secret_hmac = secret_hmac, previous_secret_valid_until = ?,
                        secret_hmac = ?, version = version + 1, updated_at = now() WHERE id = ?""")
                    .params(Timestamp.from(until), secrets.hmac(secret), id).update();
            return find(id);
        });
        return ResponseEntity.ok().header("Cache-Control", "no-store").body(withSecret(view, secret));
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int n = Pages.limit(limit);
        List<ResourceServerView> rows = jdbc.sql(SELECT + " WHERE id > ? ORDER BY id LIMIT ?").params(Pages.after(cursor), n + 1)
                .query(ResourceServersController::map).list();
        return Pages.page(rows, n, ResourceServerView::id);
    }

    @GetMapping("/{id}")
    ResponseEntity<ResourceServerView> get(@PathVariable String id) {
        ResourceServerView view = find(id);
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @PutMapping(path = "/{id}", consumes = "application/json")
    ResponseEntity<ResourceServerView> update(@PathVariable String id, @RequestBody ResourceServerRequest request,
                                              @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Validation.samePathId(request.id(), id, "id");
        validate(request, false);
        Long expected = Pages.ifMatch(ifMatch);
        find(id);
        if (count("SELECT count(*) FROM resource_servers WHERE audience = ? AND id <> ?", request.audience(), id) > 0) {
            throw AdminRefusal.conflict("another resource server already has this audience");
        }
        ResourceServerView view = changes.apply("admin.resource-server.update", id, () -> {
            int updated = jdbc.sql("""
                    UPDATE resource_servers SET audience = ?, budget_unit = ?, version = version + 1, updated_at = now()
                    WHERE id = ? AND (?::bigint IS NULL OR version = ?)""")
                    .params(request.audience(), unit(request), id, expected, expected).update();
            if (updated == 0) {
                throw AdminRefusal.conflict("the resource server was changed since version " + expected + "; read it again");
            }
            return find(id);
        });
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        find(id);
        if (count("SELECT count(*) FROM scopes WHERE resource_server_id = ?", id) > 0) {
            throw AdminRefusal.conflict("resource server '" + id + "' still has scopes; delete them first");
        }
        changes.apply("admin.resource-server.delete", id, () -> jdbc.sql("DELETE FROM resource_servers WHERE id = ?").param(id).update());
        return ResponseEntity.noContent().build();
    }

    private static void validate(ResourceServerRequest request, boolean creating) {
        Validation v = new Validation();
        if (creating) {
            v.slug(request.id(), "id");
        }
        v.absoluteUri(request.audience(), "audience");
        v.require(request.budgetUnit() == null || UNIT.matcher(request.budgetUnit()).matches(), "budget_unit",
                "must be 1-32 lower-case letters, digits or underscores, starting with a letter");
        v.orRefuse();
    }

    private static String unit(ResourceServerRequest request) {
        return request.budgetUnit() == null ? "calls" : request.budgetUnit();
    }

    private static String newSecret() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static Map<String, Object> withSecret(ResourceServerView view, String secret) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", view.id());
        body.put("audience", view.audience());
        body.put("budget_unit", view.budgetUnit());
        body.put("client_secret", secret);
        body.put("previous_secret_valid_until", view.previousSecretValidUntil() == null ? null : view.previousSecretValidUntil().toString());
        body.put("version", view.version());
        body.put("created_at", view.createdAt().toString());
        body.put("updated_at", view.updatedAt().toString());
        return body;
    }

    private long count(String sql, Object... values) {
        return jdbc.sql(sql).params(values).query(Long.class).single();
    }

    private static final String SELECT = """
            SELECT id, audience, budget_unit, previous_secret_valid_until, version, created_at, updated_at FROM resource_servers""";

    private ResourceServerView find(String id) {
        return jdbc.sql(SELECT + " WHERE id = ?").param(id).query(ResourceServersController::map).optional()
                .orElseThrow(() -> AdminRefusal.notFound("resource server"));
    }

    private static ResourceServerView map(ResultSet rs, int n) throws SQLException {
        Timestamp until = rs.getTimestamp("previous_secret_valid_until");
        return new ResourceServerView(rs.getString("id"), rs.getString("audience"), rs.getString("budget_unit"),
                until == null ? null : until.toInstant(), rs.getLong("version"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
