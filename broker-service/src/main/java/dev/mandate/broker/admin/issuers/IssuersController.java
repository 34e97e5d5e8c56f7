package dev.mandate.broker.admin.issuers;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.admin.AdminChanges;
import dev.mandate.broker.admin.AdminRefusal;
import dev.mandate.broker.admin.Pages;
import dev.mandate.broker.admin.Validation;
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

/** {@code /admin/v1/issuers}: the workload-identity providers the broker trusts (SPEC §1, §2). */
@RestController
@RequestMapping("/admin/v1/issuers")
class IssuersController {

    static final Set<String> ALGORITHMS = Set.of("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384",
            "PS512", "EdDSA");

    record IssuerRequest(String id, String issuer, String jwksUri, Map<String, Object> jwks, String audience,
                         List<String> algorithms) {
    }

    record IssuerView(String id, String issuer, String jwksUri, Map<String, Object> jwks, String audience,
                      List<String> algorithms, long version, Instant createdAt, Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final AdminChanges changes;
    private final JwksUriPolicy jwksUris;

    IssuersController(JdbcClient jdbc, AdminChanges changes, MandateProperties properties) {
        this.jdbc = jdbc;
        this.changes = changes;
        this.jwksUris = new JwksUriPolicy(properties.allowInsecureIssuers());
    }

    @PostMapping(consumes = "application/json")
    ResponseEntity<IssuerView> create(@RequestBody IssuerRequest request) {
        String jwks = validate(request, true);
        if (exists("SELECT count(*) FROM trusted_issuers WHERE id = ?", request.id())) {
            throw AdminRefusal.conflict("issuer '" + request.id() + "' already exists");
        }
        if (exists("SELECT count(*) FROM trusted_issuers WHERE issuer = ?", request.issuer())) {
            throw AdminRefusal.conflict("another trusted issuer already has this iss");
        }
        IssuerView view = changes.apply("admin.issuer.create", request.id(), () -> {
            jdbc.sql("""
                    INSERT INTO trusted_issuers (id, issuer, jwks_uri, jwks, audience, algorithms)
                    VALUES (?, ?, ?, ?, ?, ?)""")
                    .params(request.id(), request.issuer(), request.jwksUri(), jwks, request.audience(), algorithms(request))
                    .update();
            return find(request.id());
        });
        return ResponseEntity.status(201).eTag("\"" + view.version() + "\"").body(view);
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int n = Pages.limit(limit);
        List<IssuerView> rows = jdbc.sql(SELECT + " WHERE id > ? ORDER BY id LIMIT ?").params(Pages.after(cursor), n + 1)
                .query(IssuersController::map).list();
        return Pages.page(rows, n, IssuerView::id);
    }

    @GetMapping("/{id}")
    ResponseEntity<IssuerView> get(@PathVariable String id) {
        IssuerView view = find(id);
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @PutMapping(path = "/{id}", consumes = "application/json")
    ResponseEntity<IssuerView> update(@PathVariable String id, @RequestBody IssuerRequest request,
                                      @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Validation.samePathId(request.id(), id, "id");
        String jwks = validate(new IssuerRequest(id, request.issuer(), request.jwksUri(), request.jwks(), request.audience(),
                request.algorithms()), false);
        Long expected = Pages.ifMatch(ifMatch);
        find(id);
        IssuerView view = changes.apply("admin.issuer.update", id, () -> {
            int updated = jdbc.sql("""
                    UPDATE trusted_issuers SET issuer = ?, jwks_uri = ?, jwks = ?, audience = ?, algorithms = ?,
                        version = version + 1, updated_at = now()
                    WHERE id = ? AND (?::bigint IS NULL OR version = ?)""")
                    .params(request.issuer(), request.jwksUri(), jwks, request.audience(), algorithms(request), id, expected, expected)
                    .update();
            if (updated == 0) {
                throw AdminRefusal.conflict("the issuer was changed since version " + expected + "; read it again");
            }
            return find(id);
        });
        return ResponseEntity.ok().eTag("\"" + view.version() + "\"").body(view);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        find(id);
        if (exists("SELECT count(*) FROM agents WHERE issuer_id = ?", id)) {
            throw AdminRefusal.conflict("issuer '" + id + "' still has agents; delete or move them first");
        }
        changes.apply("admin.issuer.delete", id, () -> jdbc.sql("DELETE FROM trusted_issuers WHERE id = ?").param(id).update());
        return ResponseEntity.noContent().build();
    }

    private String validate(IssuerRequest request, boolean creating) {
        Validation v = new Validation();
        if (creating) {
            v.slug(request.id(), "id");
        }
        v.text(request.issuer(), "issuer", 512, true);
        v.require((request.jwksUri() == null) != (request.jwks() == null), "jwks_uri", "give exactly one of jwks_uri and jwks");
        if (request.jwksUri() != null) {
            String problem = request.jwksUri().length() > 2048 ? "is too long" : jwksUris.check(request.jwksUri());
            if (problem != null) {
                throw new AdminRefusal(400, "insecure-jwks-uri", "jwks_uri " + problem,
                        List.of(Map.of("field", "jwks_uri", "message", problem)));
            }
        }
        String jwks = null;
        if (request.jwks() != null) {
            jwks = JSONObjectUtils.toJSONString(request.jwks());
            try {
                JWKSet set = JWKSet.parse(jwks);
                v.require(!set.getKeys().isEmpty(), "jwks", "must hold at least one key");
                v.require(set.getKeys().stream().noneMatch(JWK::isPrivate), "jwks", "must hold public keys only");
                v.require(jwks.length() <= 65536, "jwks", "is too large");
            } catch (ParseException e) {
                v.require(false, "jwks", "is not a JWK set");
            }
        }
        if (request.audience() != null) {
            v.absoluteUri(request.audience(), "audience");
        }
        if (request.algorithms() != null) {
            v.require(!request.algorithms().isEmpty() && ALGORITHMS.containsAll(request.algorithms()), "algorithms",
                    "must be a non-empty subset of " + ALGORITHMS);
        }
        v.orRefuse();
        return jwks;
    }

    private static String[] algorithms(IssuerRequest request) {
        return request.algorithms() == null ? new String[] {"ES256", "RS256"} : request.algorithms().toArray(String[]::new);
    }

    private boolean exists(String sql, String value) {
        return jdbc.sql(sql).param(value).query(Long.class).single() > 0;
    }

    private static final String SELECT = """
            SELECT id, issuer, jwks_uri, jwks, audience, algorithms::text[] AS algorithms, version, created_at, updated_at
            FROM trusted_issuers""";

    private IssuerView find(String id) {
        return jdbc.sql(SELECT + " WHERE id = ?").param(id).query(IssuersController::map).optional()
                .orElseThrow(() -> AdminRefusal.notFound("issuer '" + safe(id) + "'"));
    }

    static String safe(String id) {
        return id != null && Validation.SLUG.matcher(id).matches() ? id : "(invalid id)";
    }

    private static IssuerView map(ResultSet rs, int n) throws SQLException {
        Map<String, Object> jwks = null;
        if (rs.getString("jwks") != null) {
            try {
                jwks = JSONObjectUtils.parse(rs.getString("jwks"));
            } catch (ParseException e) {
                jwks = Map.of();
            }
        }
        return new IssuerView(rs.getString("id"), rs.getString("issuer"), rs.getString("jwks_uri"), jwks,
                rs.getString("audience"), List.of((String[]) rs.getArray("algorithms").getArray()), rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
