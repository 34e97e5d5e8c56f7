package dev.mandate.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.nimbusds.jose.util.JSONObjectUtils;

/** Helpers for tests that talk to /oauth2/* over real HTTP and check the SQL invariants afterwards. */
public abstract class TokenEndpointTest extends BrokerIntegrationTest {

    public static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    public static final String AT_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    protected HttpResponse<String> post(String path, Map<String, String> form, String basicId, String basicSecret) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (basicId != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (basicId + ":" + basicSecret).getBytes(StandardCharsets.UTF_8)));
        }
        return send(request.build());
    }

    protected HttpResponse<String> token(Map<String, String> form) {
        return post("/oauth2/token", form, null, null);
    }

    protected static Map<String, Object> json(HttpResponse<String> response) {
        try {
            return JSONObjectUtils.parse(response.body());
        } catch (ParseException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    protected static Map<String, String> form(String... pairs) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            form.put(pairs[i], pairs[i + 1]);
        }
        return form;
    }

    protected long count(String sql, Object... params) {
        return jdbc.sql(sql).params(params).query(Long.class).single();
    }

    /** SECURITY.md invariants 2–5, checked with SQL over the whole database. */
    protected void assertInvariants() {
        assertThat(count("SELECT count(*) FROM budget_accounts WHERE remaining + carved + charged <> limit_amount "
                + "OR remaining < 0 OR carved < 0 OR charged < 0")).as("budget balance").isZero();
        assertThat(count("""
                SELECT count(*) FROM budget_accounts p
                WHERE p.carved <> COALESCE((SELECT sum(c.limit_amount) FROM budget_accounts c WHERE c.parent_id = p.id), 0)""")).as("carves add up").isZero();
        assertThat(count("""
                SELECT count(*) FROM tokens c JOIN tokens p ON p.jti = c.parent_jti
                WHERE c.expires_at > p.expires_at OR NOT (c.scopes <@ p.scopes) OR c.depth <> p.depth + 1""")).as("children within parents").isZero();
        assertThat(count("""
                SELECT count(*) FROM tokens t WHERE NOT EXISTS (
                    SELECT 1 FROM audit_events a WHERE a.jti = t.jti AND a.type = 'token.exchange' AND a.outcome = 'success')""")).as("audit per token").isZero();
        assertThat(count("""
                WITH RECURSIVE live AS (SELECT jti, parent_jti FROM tokens WHERE revoked_at IS NULL AND parent_jti IS NOT NULL),
                anc AS (SELECT l.jti AS child, l.parent_jti AS ancestor FROM live l
                        UNION ALL SELECT a.child, t.parent_jti FROM anc a JOIN tokens t ON t.jti = a.ancestor WHERE t.parent_jti IS NOT NULL)
                SELECT count(*) FROM anc a JOIN tokens t ON t.jti = a.ancestor
                JOIN tokens c ON c.jti = a.child
                WHERE t.revoked_at IS NOT NULL AND c.revoked_at IS NULL AND c.expires_at > now()""")).as("no live token under a revoked ancestor").isZero();
    }
}
