package dev.mandate.broker.tokenendpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import dev.mandate.broker.support.TokenEndpointTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/** SPEC §4.2 delegation, §5 revocation and introspection; SECURITY.md invariants 2–4. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DelegationTest extends TokenEndpointTest {

    @Autowired
    ResourceServerSecrets secrets;

    TestWorkloadIssuer spire;
    String broker;
    String audience;
    String otherAudience;
    String rsId;
    String rsSecret;
    String otherRsId;
    String otherRsSecret;
    String read;
    String write;
    String secret;
    String prefix;
    Map<String, String> subjects = new java.util.HashMap<>();

    @BeforeAll
    void registerCatalog() {
        spire = new TestWorkloadIssuer("spire-d");
        prefix = "dl" + Long.toHexString(System.nanoTime() & 0xffffff);
        Catalog catalog = new Catalog(jdbc, prefix);
        broker = "http://localhost:" + port;
        String issuer = catalog.issuer("spire", spire, null);
        audience = "https://orders-" + prefix + ".example.com";
        otherAudience = "https://billing-" + prefix + ".example.com";
        rsSecret = TestDatabase.randomToken();
        otherRsSecret = TestDatabase.randomToken();
        rsId = catalog.resourceServer("orders", audience, "calls", secrets.hmac(rsSecret));
        otherRsId = catalog.resourceServer("billing", otherAudience, "usd_micros", secrets.hmac(otherRsSecret));
        read = catalog.scope("read", rsId, 300, 900, null, true);
        write = catalog.scope("write", rsId, 300, 900, null, true);
        secret = catalog.scope("secret", rsId, 300, 900, null, false);
        String billing = catalog.scope("charge", otherRsId, 300, 900, null, true);
        List<String> all = List.of(read, write, secret, billing);
        agent(catalog, issuer, "stranger", List.of(read), List.of(), 3);
        agent(catalog, issuer, "researcher", List.of(read), List.of(), 3);
        agent(catalog, issuer, "coder", List.of(read, write, secret), List.of(catalog.id("researcher")), 3);
        agent(catalog, issuer, "planner", all, List.of(catalog.id("coder")), 3);
        agent(catalog, issuer, "shallow", all, List.of(catalog.id("coder")), 1);
        // researcher2 may hand back to the planner: a cycle
        jdbc.sql("INSERT INTO agent_delegates (agent_id, delegate_id) VALUES (?, ?)")
                .params(catalog.id("researcher"), catalog.id("planner")).update();
        jdbc.sql("INSERT INTO agent_delegates (agent_id, delegate_id) VALUES (?, ?)")
                .params(catalog.id("coder"), catalog.id("stranger")).update();
    }

    void agent(Catalog catalog, String issuer, String name, List<String> scopes, List<String> delegates, int depth) {
        String subject = "spiffe://acme.org/agents/" + name + "-" + prefix;
        subjects.put(name, subject);
        catalog.agent(name, issuer, subject, scopes, delegates, depth, true);
    }

    @AfterAll
    void stop() {
        spire.close();
    }

    @AfterEach
    void invariants() {
        assertInvariants();
    }

    String id(String name) {
        return prefix + "-" + name;
    }

    String jwt(String agent) {
        return spire.mint(subjects.get(agent), broker);
    }

    Map<String, Object> root(String agent, String scope, String budget, String ttl) {
        Map<String, String> form = form("grant_type", GRANT, "subject_token", jwt(agent), "subject_token_type", JWT_TYPE,
                "audience", audience, "scope", scope);
        if (budget != null) {
            form.put("budget", budget);
        }
        if (ttl != null) {
            form.put("ttl", ttl);
        }
        HttpResponse<String> response = token(form);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    HttpResponse<String> delegate(String parentToken, String child, Map<String, String> extra) {
        Map<String, String> form = form("grant_type", GRANT, "subject_token", parentToken, "subject_token_type", AT_TYPE,
                "actor_token", jwt(child), "actor_token_type", JWT_TYPE);
        form.putAll(extra);
        return token(form);
    }

    Map<String, Object> delegated(String parentToken, String child, Map<String, String> extra) {
        HttpResponse<String> response = delegate(parentToken, child, extra);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    void assertRefused(HttpResponse<String> response, int status, String error, String reason, long rowsBefore) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json(response)).containsEntry("error", error).doesNotContainKey("access_token");
        assertThat(count("SELECT count(*) FROM tokens")).isEqualTo(rowsBefore);
        assertThat(count("SELECT count(*) FROM audit_events WHERE outcome = 'refused' AND reason = ?", reason)).isPositive();
    }

    static String at(Map<String, Object> response) {
        return (String) response.get("access_token");
    }

    static JWTClaimsSet claims(Map<String, Object> response) throws Exception {
        return SignedJWT.parse(at(response)).getJWTClaimsSet();
    }

    HttpResponse<String> introspect(String token, String id, String secretValue) {
        return post("/oauth2/introspect", form("token", token), id, secretValue);
    }

    HttpResponse<String> revoke(String token, String agent) {
        return post("/oauth2/revoke", form("token", token, "client_assertion_type", JWT_BEARER,
                "client_assertion", jwt(agent)), null, null);
    }

    boolean active(String token) {
        return Boolean.TRUE.equals(json(introspect(token, rsId, rsSecret)).get("active"));
    }

    @Nested
    @DisplayName("§4.2/§4.4 delegation chains")
    class Chains {

        @Test
        @DisplayName("planner → coder → researcher: act nests exactly, sub and task_id never change, parent_jti recorded")
        void threeLevels() throws Exception {
            Map<String, Object> root = root("planner", read + " " + write, null, null);
            Map<String, Object> coder = delegated(at(root), "coder", Map.of());
            Map<String, Object> researcher = delegated(at(coder), "researcher", Map.of("scope", read));
            JWTClaimsSet r = claims(root);
            JWTClaimsSet c = claims(coder);
            JWTClaimsSet x = claims(researcher);
            assertThat(c.getSubject()).isEqualTo(subjects.get("planner"));
            assertThat(x.getSubject()).isEqualTo(subjects.get("planner"));
            assertThat(c.getStringClaim("client_id")).isEqualTo(id("coder"));
            assertThat(x.getStringClaim("client_id")).isEqualTo(id("researcher"));
            assertThat(c.getClaim("task_id")).isEqualTo(r.getClaim("task_id"));
            assertThat(x.getClaim("task_id")).isEqualTo(r.getClaim("task_id"));
            assertThat(c.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", subjects.get("coder"), "iss", spire.issuer()));
            assertThat(x.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", subjects.get("researcher"), "iss", spire.issuer(),
                    "act", Map.of("sub", subjects.get("coder"), "iss", spire.issuer())));
            assertThat(c.getStringClaim("scope")).isEqualTo(read + " " + write);   // default: the parent's scope
            assertThat(x.getStringClaim("scope")).isEqualTo(read);
            assertThat(jdbc.sql("SELECT parent_jti FROM tokens WHERE jti = ?").param(x.getJWTID()).query(String.class).single())
                    .isEqualTo(c.getJWTID());
            assertThat(jdbc.sql("SELECT depth FROM tokens WHERE jti = ?").param(x.getJWTID()).query(Integer.class).single()).isEqualTo(2);
        }

        @Test
        @DisplayName("exp ≤ the parent's exp: the TTL is clamped and expires_in says so")
        void ttlClamped() throws Exception {
            Map<String, Object> root = root("planner", read, null, "60");
            Map<String, Object> child = delegated(at(root), "coder", Map.of("ttl", "600"));
            assertThat(((Number) child.get("expires_in")).longValue()).isLessThanOrEqualTo(60);
            assertThat(claims(child).getExpirationTime()).isBeforeOrEqualTo(claims(root).getExpirationTime());
        }

        @Test
        @DisplayName("without budget the child shares the parent's account; with budget it carves one atomically")
        void budgets() throws Exception {
            Map<String, Object> root = root("planner", read, "100", null);
            Map<String, Object> shared = delegated(at(root), "coder", Map.of());
            assertThat(shared.get("budget")).isEqualTo(Map.of("limit", 100L, "remaining", 100L, "unit", "calls"));
            Map<String, Object> carved = delegated(at(root), "coder", Map.of("budget", "30"));
            assertThat(carved.get("budget")).isEqualTo(Map.of("limit", 30L, "remaining", 30L, "unit", "calls"));
            assertThat(claims(carved).getJSONObjectClaim("budget")).isEqualTo(Map.of("limit", 30L, "unit", "calls"));
            var parent = jdbc.sql("""
                    SELECT b.remaining, b.carved FROM tokens t JOIN budget_accounts b ON b.id = t.budget_account_id WHERE t.jti = ?""")
                    .param(claims(root).getJWTID()).query().singleRow();
            assertThat(parent).containsEntry("remaining", 70L).containsEntry("carved", 30L);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "coder", Map.of("budget", "71")), 400, "invalid_request", "budget_exceeds_parent", rows);
            assertThat(jdbc.sql("SELECT b.remaining FROM tokens t JOIN budget_accounts b ON b.id = t.budget_account_id WHERE t.jti = ?")
                    .param(claims(root).getJWTID()).query(Long.class).single()).isEqualTo(70L);
        }
    }

    @Nested
    @DisplayName("SECURITY.md exchange refusals")
    class Refusals {

        @Test
        @DisplayName("scope escalation beyond the parent: invalid_scope")
        void escalation() {
            Map<String, Object> root = root("planner", read, null, null);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "coder", Map.of("scope", read + " " + write)), 400, "invalid_scope", "scope_exceeds_parent", rows);
        }

        @Test
        @DisplayName("a scope the child is not allowed: invalid_scope")
        void childNotAllowed() {
            Map<String, Object> coder = delegated(at(root("planner", read + " " + write, null, null)), "coder", Map.of());
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(coder), "researcher", Map.of("scope", write)), 400, "invalid_scope", "scope_not_allowed", rows);
        }

        @Test
        @DisplayName("a non-delegable scope: invalid_scope")
        void notDelegable() {
            Map<String, Object> root = root("planner", read + " " + secret, null, null);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "coder", Map.of("scope", secret)), 400, "invalid_scope", "scope_not_delegable", rows);
        }

        @Test
        @DisplayName("an actor the parent's holder may not delegate to: invalid_request")
        void notDelegate() {
            Map<String, Object> root = root("planner", read, null, null);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "researcher", Map.of()), 400, "invalid_request", "actor_not_delegate", rows);
        }

        @Test
        @DisplayName("a cycle back to the root agent: invalid_request")
        void cycle() {
            Map<String, Object> coder = delegated(at(root("planner", read, null, null)), "coder", Map.of());
            Map<String, Object> researcher = delegated(at(coder), "researcher", Map.of());
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(researcher), "planner", Map.of()), 400, "invalid_request", "cycle", rows);
        }

        @Test
        @DisplayName("depth beyond the root agent's max_delegation_depth: invalid_request")
        void depth() {
            Map<String, Object> coder = delegated(at(root("shallow", read, null, null)), "coder", Map.of());
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(coder), "researcher", Map.of()), 400, "invalid_request", "depth_exceeded", rows);
        }

        @Test
        @DisplayName("another audience than the parent's: invalid_target")
        void audience() {
            Map<String, Object> root = root("planner", read, null, null);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "coder", Map.of("audience", otherAudience)), 400, "invalid_target", "audience_differs", rows);
        }

        @Test
        @DisplayName("a revoked parent: invalid_request")
        void revokedParent() {
            Map<String, Object> root = root("planner", read, null, null);
            assertThat(revoke(at(root), "planner").statusCode()).isEqualTo(200);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "coder", Map.of()), 400, "invalid_request", "parent_revoked", rows);
        }

        @Test
        @DisplayName("a subject_token this broker did not issue, or a workload JWT as access_token: invalid_request")
        void foreignSubject() {
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(jwt("planner"), "coder", Map.of()), 400, "invalid_request", "subject_token_unknown", rows);
        }

        @Test
        @DisplayName("a budget carved from a parent without one: invalid_request")
        void carveFromNothing() {
            Map<String, Object> root = root("planner", read, null, null);
            long rows = count("SELECT count(*) FROM tokens");
            assertRefused(delegate(at(root), "coder", Map.of("budget", "5")), 400, "invalid_request", "parent_has_no_budget", rows);
        }
    }

    @Nested
    @DisplayName("§5 revocation (RFC 7009) and introspection (RFC 7662)")
    class RevocationAndIntrospection {

        @Test
        @DisplayName("revoking the middle token deactivates its subtree, not its parent or siblings")
        void cascade() {
            Map<String, Object> root = root("planner", read, null, null);
            Map<String, Object> coder = delegated(at(root), "coder", Map.of());
            Map<String, Object> sibling = delegated(at(root), "coder", Map.of());
            Map<String, Object> researcher = delegated(at(coder), "researcher", Map.of());
            assertThat(active(at(researcher))).isTrue();
            assertThat(revoke(at(coder), "coder").statusCode()).isEqualTo(200);
            assertThat(active(at(coder))).isFalse();
            assertThat(active(at(researcher))).isFalse();
            assertThat(active(at(root))).isTrue();
            assertThat(active(at(sibling))).isTrue();
        }

        @Test
        @DisplayName("an agent earlier in the chain may revoke; a later one or a stranger gets 200 and nothing changes")
        void whoMayRevoke() {
            Map<String, Object> root = root("planner", read, null, null);
            Map<String, Object> coder = delegated(at(root), "coder", Map.of());
            Map<String, Object> researcher = delegated(at(coder), "researcher", Map.of());
            assertThat(revoke(at(coder), "researcher").statusCode()).isEqualTo(200);
            assertThat(revoke(at(coder), "stranger").statusCode()).isEqualTo(200);
            assertThat(active(at(coder))).isTrue();
            assertThat(revoke(at(researcher), "planner").statusCode()).isEqualTo(200);
            assertThat(active(at(researcher))).isFalse();
            assertThat(active(at(coder))).isTrue();
        }

        @Test
        @DisplayName("an unknown token: 200; no client authentication: 401 invalid_client")
        void unknownAndUnauthenticated() {
            assertThat(revoke("not-a-token", "planner").statusCode()).isEqualTo(200);
            HttpResponse<String> response = post("/oauth2/revoke", form("token", "x"), null, null);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response)).containsEntry("error", "invalid_client");
        }

        @Test
        @DisplayName("an active token to its own resource server: all claims, active and the live budget")
        void introspectActive() throws Exception {
            Map<String, Object> root = root("planner", read, "50", null);
            Map<String, Object> answer = json(introspect(at(root), rsId, rsSecret));
            JWTClaimsSet claims = claims(root);
            assertThat(answer).containsEntry("active", true).containsEntry("sub", subjects.get("planner"))
                    .containsEntry("client_id", id("planner")).containsEntry("scope", read)
                    .containsEntry("jti", claims.getJWTID()).containsEntry("task_id", claims.getStringClaim("task_id"))
                    .containsEntry("iss", broker).containsEntry("aud", audience);
            assertThat(answer.get("budget")).isEqualTo(Map.of("limit", 50L, "remaining", 50L, "unit", "calls"));
        }

        @Test
        @DisplayName("another audience, a revoked, unknown or malformed token: exactly {\"active\":false}")
        void introspectInactive() {
            Map<String, Object> root = root("planner", read, null, null);
            assertThat(introspect(at(root), otherRsId, otherRsSecret).body()).isEqualTo("{\"active\":false}");
            assertThat(introspect("garbage", rsId, rsSecret).body()).isEqualTo("{\"active\":false}");
            assertThat(introspect(jwt("planner"), rsId, rsSecret).body()).isEqualTo("{\"active\":false}");
            revoke(at(root), "planner");
            assertThat(introspect(at(root), rsId, rsSecret).body()).isEqualTo("{\"active\":false}");
        }

        @Test
        @DisplayName("introspection without or with wrong credentials: 401 invalid_client")
        void introspectUnauthenticated() {
            HttpResponse<String> none = post("/oauth2/introspect", form("token", "x"), null, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(json(none)).containsEntry("error", "invalid_client");
            HttpResponse<String> wrong = introspect("x", rsId, otherRsSecret);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(json(wrong)).containsEntry("error", "invalid_client");
        }
    }

    @Nested
    @DisplayName("concurrency on a real PostgreSQL")
    class Concurrency {

        @Test
        @DisplayName("16 threads carving from one parent never overspend")
        void parallelCarves() throws Exception {
            Map<String, Object> root = root("planner", read, "100", null);
            String parent = at(root);
            List<Callable<Integer>> carves = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                carves.add(() -> delegate(parent, "coder", Map.of("budget", "10")).statusCode());
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(carves)) {
                statuses.add(f.get());
            }
            pool.shutdown();
            assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(10);
            assertThat(statuses).allMatch(s -> s == 200 || s == 400);
            assertThat(jdbc.sql("SELECT b.remaining FROM tokens t JOIN budget_accounts b ON b.id = t.budget_account_id WHERE t.jti = ?")
                    .param(claims(root).getJWTID()).query(Long.class).single()).isZero();
        }

        @Test
        @DisplayName("revocations racing delegated exchanges leave no live descendant of a revoked token")
        void revocationRace() throws Exception {
            for (int round = 0; round < 5; round++) {
                Map<String, Object> root = root("planner", read, null, null);
                String parent = at(root);
                List<Callable<Integer>> work = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    work.add(() -> delegate(parent, "coder", Map.of()).statusCode());
                }
                work.add(() -> revoke(parent, "planner").statusCode());
                ExecutorService pool = Executors.newFixedThreadPool(13);
                for (Future<Integer> f : pool.invokeAll(work)) {
                    assertThat(f.get()).isIn(200, 400);
                }
                pool.shutdown();
                String jti = claims(root).getJWTID();
                assertThat(count("SELECT count(*) FROM tokens WHERE parent_jti = ? AND revoked_at IS NULL", jti)).isZero();
            }
        }
    }
}
