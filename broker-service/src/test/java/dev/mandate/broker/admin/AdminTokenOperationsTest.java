package dev.mandate.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.keys.MasterKey;
import dev.mandate.broker.support.AdminClient;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import dev.mandate.broker.support.TokenEndpointTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/** Admin operations that act on issued tokens (SPEC §8), and resource-server secret rotation. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminTokenOperationsTest extends TokenEndpointTest {

    @Autowired
    ResourceServerSecrets secrets;
    @Autowired
    MasterKey masterKey;

    AdminClient admin;
    TestWorkloadIssuer spire;
    String p;
    String audience;
    String rsId;
    String rsSecret;
    String read;
    Map<String, String> subjects = new java.util.HashMap<>();

    @BeforeAll
    void setUp() {
        admin = new AdminClient(port, ADMIN_TOKEN);
        spire = new TestWorkloadIssuer("spire-ops");
        p = "op" + Long.toHexString(System.nanoTime() & 0xffffff);
        Catalog catalog = new Catalog(jdbc, p);
        String issuer = catalog.issuer("spire", spire, null);
        audience = "https://orders-" + p + ".example.com";
        rsSecret = TestDatabase.randomToken();
        rsId = catalog.resourceServer("orders", audience, "calls", secrets.hmac(rsSecret));
        read = catalog.scope("read", rsId, 300, 900, null, true);
        for (String name : List.of("coder", "planner")) {
            subjects.put(name, "spiffe://acme.org/" + name + "-" + p);
        }
        catalog.agent("coder", issuer, subjects.get("coder"), List.of(read), List.of(), 3, true);
        catalog.agent("planner", issuer, subjects.get("planner"), List.of(read), List.of(catalog.id("coder")), 3, true);
    }

    @AfterAll
    void tearDown() {
        spire.close();
    }

    String root() {
        HttpResponse<String> r = token(form("grant_type", GRANT, "subject_token", spire.mint(subjects.get("planner"), "http://localhost:" + port),
                "subject_token_type", JWT_TYPE, "audience", audience, "scope", read, "budget", "10"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (String) json(r).get("access_token");
    }

    String child(String parent) {
        HttpResponse<String> r = token(form("grant_type", GRANT, "subject_token", parent, "subject_token_type", AT_TYPE,
                "actor_token", spire.mint(subjects.get("coder"), "http://localhost:" + port), "actor_token_type", JWT_TYPE));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (String) json(r).get("access_token");
    }

    boolean active(String token) {
        return Boolean.TRUE.equals(json(post("/oauth2/introspect", form("token", token), rsId, rsSecret)).get("active"));
    }

    String jti(String token) throws Exception {
        return com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    }

    @Test
    @DisplayName("GET tokens lists metadata with the live budget, never token values")
    void listTokens() throws Exception {
        String token = root();
        AdminClient.Response page = admin.get("/admin/v1/tokens?agent=" + p + "-planner&active=true");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(jti(token)).doesNotContain(token.split("\\.")[2]).contains("\"remaining\":10");
    }

    @Test
    @DisplayName("POST tokens/{jti}/revoke revokes a token with its descendants")
    void revokeToken() throws Exception {
        String parent = root();
        String kid = child(parent);
        AdminClient.Response r = admin.post("/admin/v1/tokens/" + jti(parent) + "/revoke", null);
        assertThat(r.json()).containsEntry("revoked", 2L);
        assertThat(active(parent)).isFalse();
        assertThat(active(kid)).isFalse();
    }

    @Test
    @DisplayName("POST tasks/{task_id}/revoke revokes the whole tree of a task")
    void revokeTask() throws Exception {
        String parent = root();
        String kid = child(parent);
        String task = com.nimbusds.jwt.SignedJWT.parse(parent).getJWTClaimsSet().getStringClaim("task_id");
        assertThat(admin.post("/admin/v1/tasks/" + task + "/revoke", null).status()).isEqualTo(200);
        assertThat(active(kid)).isFalse();
        assertThat(admin.post("/admin/v1/tasks/tsk_nothing/revoke", null).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("disabling an agent revokes its live tokens and what was delegated from them")
    void disablingRevokes() throws Exception {
        String parent = root();
        String kid = child(parent);
        AdminClient.Response current = admin.get("/admin/v1/agents/" + p + "-planner");
        AdminClient.Response disabled = admin.put("/admin/v1/agents/" + p + "-planner", "{\"subject\":\"" + subjects.get("planner")
                + "\",\"allowed_scopes\":[\"" + read + "\"],\"may_delegate_to\":[\"" + p + "-coder\"],\"enabled\":false}", current.etag());
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(active(parent)).isFalse();
        assertThat(active(kid)).isFalse();
        HttpResponse<String> refused = token(form("grant_type", GRANT, "subject_token", spire.mint(subjects.get("planner"), "http://localhost:" + port),
                "subject_token_type", JWT_TYPE, "audience", audience, "scope", read));
        assertThat(refused.statusCode()).isEqualTo(400);
        admin.put("/admin/v1/agents/" + p + "-planner", "{\"subject\":\"" + subjects.get("planner") + "\",\"allowed_scopes\":[\"" + read
                + "\"],\"may_delegate_to\":[\"" + p + "-coder\"],\"enabled\":true}", null);
    }

    @Test
    @DisplayName("after a rotation the previous secret works until the overlap ends, then only the new one")
    void secretOverlap() {
        AdminClient.Response created = admin.post("/admin/v1/resource-servers", "{\"id\":\"" + p + "-rot\",\"audience\":\"https://rot-" + p + ".example\"}");
        String old = (String) created.json().get("client_secret");
        AdminClient.Response rotated = admin.post("/admin/v1/resource-servers/" + p + "-rot/secret", null);
        String fresh = (String) rotated.json().get("client_secret");
        Instant until = Instant.parse((String) rotated.json().get("previous_secret_valid_until"));
        ResourceServerSecrets during = new ResourceServerSecrets(jdbc, masterKey, Clock.fixed(until.minusSeconds(1), ZoneOffset.UTC));
        ResourceServerSecrets after = new ResourceServerSecrets(jdbc, masterKey, Clock.fixed(until.plus(Duration.ofSeconds(1)), ZoneOffset.UTC));
        assertThat(during.authenticate(p + "-rot", old)).isPresent();
        assertThat(during.authenticate(p + "-rot", fresh)).isPresent();
        assertThat(after.authenticate(p + "-rot", old)).isEmpty();
        assertThat(after.authenticate(p + "-rot", fresh)).isPresent();
        assertThat(after.authenticate(p + "-rot", "guess")).isEmpty();
    }
}
