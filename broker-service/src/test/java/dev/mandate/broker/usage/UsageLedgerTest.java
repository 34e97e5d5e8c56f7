package dev.mandate.broker.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import dev.mandate.broker.support.TokenEndpointTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/** SPEC §6: the budget ledger. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageLedgerTest extends TokenEndpointTest {

    @Autowired
    ResourceServerSecrets secrets;

    TestWorkloadIssuer spire;
    String prefix;
    String audience;
    String rsId;
    String rsSecret;
    String otherRsId;
    String otherRsSecret;
    String read;
    String plannerSubject;
    String coderSubject;

    @BeforeAll
    void registerCatalog() {
        spire = new TestWorkloadIssuer("spire-u");
        prefix = "us" + Long.toHexString(System.nanoTime() & 0xffffff);
        Catalog catalog = new Catalog(jdbc, prefix);
        String issuer = catalog.issuer("spire", spire, null);
        audience = "https://orders-" + prefix + ".example.com";
        rsSecret = TestDatabase.randomToken();
        otherRsSecret = TestDatabase.randomToken();
        rsId = catalog.resourceServer("orders", audience, "calls", secrets.hmac(rsSecret));
        otherRsId = catalog.resourceServer("billing", "https://billing-" + prefix + ".example.com", "calls", secrets.hmac(otherRsSecret));
        read = catalog.scope("read", rsId, 300, 900, null, true);
        coderSubject = "spiffe://acme.org/coder-" + prefix;
        plannerSubject = "spiffe://acme.org/planner-" + prefix;
        catalog.agent("coder", issuer, coderSubject, List.of(read), List.of(), 3, true);
        catalog.agent("planner", issuer, plannerSubject, List.of(read), List.of(catalog.id("coder")), 3, true);
    }

    @AfterAll
    void stop() {
        spire.close();
    }

    @AfterEach
    void invariants() {
        assertInvariants();
    }

    String rootToken(String budget) {
        Map<String, String> form = form("grant_type", GRANT, "subject_token", spire.mint(plannerSubject, "http://localhost:" + port),
                "subject_token_type", JWT_TYPE, "audience", audience, "scope", read);
        if (budget != null) {
            form.put("budget", budget);
        }
        HttpResponse<String> response = token(form);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (String) json(response).get("access_token");
    }

    String child(String parent, String budget) {
        Map<String, String> form = form("grant_type", GRANT, "subject_token", parent, "subject_token_type", AT_TYPE,
                "actor_token", spire.mint(coderSubject, "http://localhost:" + port), "actor_token_type", JWT_TYPE);
        if (budget != null) {
            form.put("budget", budget);
        }
        HttpResponse<String> response = token(form);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (String) json(response).get("access_token");
    }

    HttpResponse<String> charge(String body, String id, String secret, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/usage")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (id != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return send(request.build());
    }

    HttpResponse<String> charge(String token, long amount, String key) {
        return charge("{\"token\":\"" + token + "\",\"amount\":" + amount + ",\"idempotency_key\":\"" + key + "\"}",
                rsId, rsSecret, "application/json");
    }

    long charges() {
        return count("SELECT count(*) FROM usage_charges");
    }

    @Test
    @DisplayName("200 with jti, task_id, charged, remaining, limit, unit")
    void charged() throws Exception {
        String token = rootToken("20");
        HttpResponse<String> response = charge(token, 3, "req-1");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> body = JSONObjectUtils.parse(response.body());
        assertThat(body).containsEntry("charged", 3L).containsEntry("remaining", 17L).containsEntry("limit", 20L)
                .containsEntry("unit", "calls").containsKeys("jti", "task_id");
    }

    @Test
    @DisplayName("more than remains: 402 problem+json with remaining, and nothing is charged")
    void insufficient() throws Exception {
        String token = rootToken("5");
        long before = charges();
        HttpResponse<String> response = charge(token, 6, "req-big");
        assertThat(response.statusCode()).isEqualTo(402);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        Map<String, Object> problem = JSONObjectUtils.parse(response.body());
        assertThat(problem).containsEntry("type", "urn:mandate:problem:budget-exceeded").containsEntry("remaining", 5L);
        assertThat(charges()).isEqualTo(before);
        assertThat(JSONObjectUtils.parse(charge(token, 5, "req-all").body())).containsEntry("remaining", 0L);
    }

    @Test
    @DisplayName("the same idempotency_key returns the first answer and charges once")
    void idempotent() throws Exception {
        String token = rootToken("10");
        Map<String, Object> first = JSONObjectUtils.parse(charge(token, 4, "req-81").body());
        Map<String, Object> again = JSONObjectUtils.parse(charge(token, 4, "req-81").body());
        assertThat(again).containsEntry("remaining", 6L).containsEntry("charged", 4L).containsEntry("replayed", true);
        assertThat(first.get("charge_id")).isEqualTo(again.get("charge_id"));
        assertThat(count("SELECT count(*) FROM usage_charges WHERE idempotency_key = 'req-81' AND jti = (SELECT jti FROM usage_charges WHERE id = ?)",
                first.get("charge_id"))).isEqualTo(1L);
    }

    @Test
    @DisplayName("a retry of a charge recorded before the token was revoked gets the recorded answer; a new key gets 409")
    void replayAfterRevocation() throws Exception {
        String token = rootToken("10");
        Map<String, Object> first = JSONObjectUtils.parse(charge(token, 3, "req-before-revoke").body());
        post("/oauth2/revoke", form("token", token, "client_assertion_type", JWT_BEARER,
                "client_assertion", spire.mint(plannerSubject, "http://localhost:" + port)), null, null);
        HttpResponse<String> retry = charge(token, 3, "req-before-revoke");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(JSONObjectUtils.parse(retry.body())).containsEntry("replayed", true).containsEntry("charge_id", first.get("charge_id"))
                .containsEntry("remaining", 7L);
        assertThat(charge(token, 3, "req-after-revoke").statusCode()).isEqualTo(409);
        assertThat(count("SELECT charged FROM budget_accounts WHERE id = (SELECT budget_account_id FROM usage_charges WHERE id = ?)",
                first.get("charge_id"))).isEqualTo(3L);
    }

    @Test
    @DisplayName("a token without a budget is recorded with remaining null")
    void noBudget() throws Exception {
        Map<String, Object> body = JSONObjectUtils.parse(charge(rootToken(null), 7, "req-nb").body());
        assertThat(body).containsEntry("charged", 7L).containsEntry("remaining", null);
    }

    @Test
    @DisplayName("403 when the token's aud is not the caller; 409 for revoked or unknown tokens")
    void wrongCallerAndInactive() throws Exception {
        String token = rootToken("10");
        HttpResponse<String> foreign = charge("{\"token\":\"" + token + "\",\"amount\":1,\"idempotency_key\":\"k\"}",
                otherRsId, otherRsSecret, "application/json");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(charge("nope", 1, "k").statusCode()).isEqualTo(409);
        post("/oauth2/revoke", form("token", token, "client_assertion_type", JWT_BEARER,
                "client_assertion", spire.mint(plannerSubject, "http://localhost:" + port)), null, null);
        HttpResponse<String> revoked = charge(token, 1, "k2");
        assertThat(revoked.statusCode()).isEqualTo(409);
        assertThat(JSONObjectUtils.parse(revoked.body())).containsEntry("type", "urn:mandate:problem:token-inactive");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"token\":\"t\",\"amount\":0,\"idempotency_key\":\"k\"}", "{\"token\":\"t\",\"amount\":-1,\"idempotency_key\":\"k\"}",
            "{\"token\":\"t\",\"amount\":1.5,\"idempotency_key\":\"k\"}", "{\"token\":\"t\",\"amount\":\"3\",\"idempotency_key\":\"k\"}",
            "{\"token\":\"t\",\"amount\":99999999999999999999,\"idempotency_key\":\"k\"}", "{\"token\":\"t\",\"amount\":1}",
            "{\"token\":\"t\",\"amount\":1,\"idempotency_key\":\"k\",\"extra\":true}", "not json", "[]"})
    @DisplayName("a malformed body: 400 problem+json")
    void malformed(String body) throws Exception {
        long before = charges();
        HttpResponse<String> response = charge(body, rsId, rsSecret, "application/json");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSONObjectUtils.parse(response.body())).containsEntry("type", "urn:mandate:problem:invalid-request");
        assertThat(charges()).isEqualTo(before);
    }

    @Test
    @DisplayName("wrong content type 415, oversized body 413, no credentials 401")
    void shapes() {
        assertThat(charge("{}", rsId, rsSecret, "application/x-www-form-urlencoded").statusCode()).isEqualTo(415);
        assertThat(charge("{\"token\":\"" + "a".repeat(70_000) + "\"}", rsId, rsSecret, "application/json").statusCode()).isEqualTo(413);
        assertThat(charge("{}", null, null, "application/json").statusCode()).isEqualTo(401);
        assertThat(charge("{}", rsId, "wrong", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("shared and carved accounts draw correctly; a carved child never touches more than was carved")
    void sharedAndCarved() throws Exception {
        String root = rootToken("100");
        String shared = child(root, null);
        String carved = child(root, "30");
        assertThat(JSONObjectUtils.parse(charge(shared, 10, "s1").body())).containsEntry("remaining", 60L).containsEntry("limit", 100L);
        assertThat(JSONObjectUtils.parse(charge(carved, 25, "c1").body())).containsEntry("remaining", 5L).containsEntry("limit", 30L);
        assertThat(charge(carved, 6, "c2").statusCode()).isEqualTo(402);
        assertThat(JSONObjectUtils.parse(charge(root, 60, "r1").body())).containsEntry("remaining", 0L);
    }

    @Test
    @DisplayName("32 threads charging, replaying and carving against one root never overspend")
    void concurrency() throws Exception {
        String root = rootToken("500");
        String shared = child(root, null);
        List<Callable<Integer>> work = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            final int n = i;
            work.add(() -> {
                int ok = 0;
                for (int j = 0; j < 8; j++) {
                    String target = (j % 2 == 0) ? root : shared;
                    // keys repeat across the root/shared pair of each j/2: distinct tokens, so both charge
                    HttpResponse<String> r = charge(target, 3, "t" + n + "-" + (j / 2));
                    if (j == 5) {
                        charge(target, 3, "t" + n + "-" + (j / 2));   // an idempotent replay, charges nothing
                    }
                    if (r.statusCode() == 200) {
                        ok++;
                    }
                    if (j == 3 && n % 8 == 0) {
                        // a carve racing the charges: may be refused once the root runs dry
                        token(form("grant_type", GRANT, "subject_token", root, "subject_token_type", AT_TYPE, "budget", "5",
                                "actor_token", spire.mint(coderSubject, "http://localhost:" + port), "actor_token_type", JWT_TYPE));
                    }
                }
                return ok;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        for (Future<Integer> f : pool.invokeAll(work)) {
            f.get();
        }
        pool.shutdown();
        long charged = count("SELECT coalesce(sum(amount), 0) FROM usage_charges c JOIN tokens t ON t.jti = c.jti WHERE t.task_id = (SELECT task_id FROM tokens WHERE token_sha256 = ?)",
                dev.mandate.broker.tokens.IssuedTokenStore.sha256(root));
        assertThat(charged).isLessThanOrEqualTo(500);
    }
}
