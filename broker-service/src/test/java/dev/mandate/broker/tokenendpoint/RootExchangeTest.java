package dev.mandate.broker.tokenendpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.broker.support.BrokerIntegrationTest;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §2, §4.1, §4.3, §4.4 and SECURITY.md (JOSE, exchange) for root task tokens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootExchangeTest extends BrokerIntegrationTest {

    static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String AT_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    TestWorkloadIssuer spire;
    TestWorkloadIssuer other;
    Catalog catalog;
    String brokerAudience;
    String ordersAudience;
    String read;
    String write;
    String budgeted;
    String planner;
    String plannerSubject;

    @BeforeAll
    void registerCatalog() {
        spire = new TestWorkloadIssuer("spire");
        other = new TestWorkloadIssuer("other");
        String prefix = "rx" + Long.toHexString(System.nanoTime() & 0xffffff);
        catalog = new Catalog(jdbc, prefix);
        brokerAudience = "http://localhost:" + port;
        String issuerId = catalog.issuer("spire", spire, null);
        catalog.issuerInline("other", other, null, "ES256");
        ordersAudience = "https://orders-" + prefix + ".example.com";
        String rs = catalog.resourceServer("orders", ordersAudience, "calls");
        catalog.resourceServer("billing", "https://billing-" + prefix + ".example.com", "usd_micros");
        read = catalog.scope("read", rs, 300, 900, null, true);
        write = catalog.scope("write", rs, 120, 600, null, true);
        budgeted = catalog.scope("spend", rs, 300, 900, 100L, true);
        catalog.scope("admin", rs, 300, 900, null, true);   // exists, but not allowed to the planner
        plannerSubject = "spiffe://acme.org/agents/planner-" + prefix;
        planner = catalog.agent("planner", issuerId, plannerSubject, List.of(read, write, budgeted), List.of(), 3, true);
        catalog.agent("disabled", issuerId, plannerSubject + "-disabled", List.of(read), List.of(), 3, false);
    }

    @AfterAll
    void stopIssuers() {
        spire.close();
        other.close();
    }

    String workloadJwt() {
        return spire.mint(plannerSubject, brokerAudience);
    }

    Map<String, String> rootRequest(String subjectToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT);
        form.put("subject_token", subjectToken);
        form.put("subject_token_type", JWT_TYPE);
        form.put("audience", ordersAudience);
        form.put("scope", read);
        return form;
    }

    HttpResponse<String> token(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(uri("/oauth2/token")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    long tokenRows() {
        return jdbc.sql("SELECT count(*) FROM tokens").query(Long.class).single();
    }

    long accounts() {
        return jdbc.sql("SELECT count(*) FROM budget_accounts").query(Long.class).single();
    }

    long refusals(String reason) {
        return jdbc.sql("SELECT count(*) FROM audit_events WHERE type = 'token.exchange' AND outcome = 'refused' AND reason = ?")
                .param(reason).query(Long.class).single();
    }

    /** Asserts a refusal: status, error code, no token row, no budget account, and a refusal audit event. */
    void assertRefused(Map<String, String> form, int status, String error) throws Exception {
        long rowsBefore = tokenRows();
        long accountsBefore = accounts();
        long auditBefore = jdbc.sql("SELECT count(*) FROM audit_events WHERE type = 'token.exchange' AND outcome = 'refused'")
                .query(Long.class).single();
        HttpResponse<String> response = token(form);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        Map<String, Object> body = JSONObjectUtils.parse(response.body());
        assertThat(body).containsEntry("error", error).doesNotContainKey("access_token");
        if (form.get("subject_token") != null && form.get("subject_token").length() > 20) {
            assertThat(response.body()).doesNotContain(form.get("subject_token"));
        }
        assertThat(tokenRows()).isEqualTo(rowsBefore);
        assertThat(accounts()).isEqualTo(accountsBefore);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE type = 'token.exchange' AND outcome = 'refused'")
                .query(Long.class).single()).isEqualTo(auditBefore + 1);
    }

    @Nested
    @DisplayName("§4.1/§4.3/§4.4 a root task token")
    class Issued {

        @Test
        @DisplayName("is issued for the agent's workload JWT as subject_token, with the §4.3 response and §4.4 claims")
        void rootToken() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("scope", read + " " + write);
            form.put("task", "summarise open orders");
            HttpResponse<String> response = token(form);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
            Map<String, Object> body = JSONObjectUtils.parse(response.body());
            assertThat(body).containsEntry("issued_token_type", AT_TYPE).containsEntry("token_type", "Bearer")
                    .containsEntry("expires_in", 120L).containsEntry("scope", read + " " + write)
                    .doesNotContainKey("budget").doesNotContainKey("refresh_token");
            assertThat((String) body.get("task_id")).startsWith("tsk_");

            SignedJWT jwt = SignedJWT.parse((String) body.get("access_token"));
            assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
            JWKSet jwks = JWKSet.parse(get("/oauth2/jwks").body());
            assertThat(jwt.verify(new ECDSAVerifier((ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID())))).isTrue();
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            assertThat(claims.getIssuer()).isEqualTo(brokerAudience);
            assertThat(claims.getSubject()).isEqualTo(plannerSubject);
            assertThat(claims.getAudience()).containsExactly(ordersAudience);
            Map<String, Object> payload = jwt.getPayload().toJSONObject();
            assertThat(payload.get("aud")).isEqualTo(ordersAudience);   // a single string, as in §4.4
            assertThat(claims.getStringClaim("client_id")).isEqualTo(planner);
            assertThat(claims.getStringClaim("scope")).isEqualTo(read + " " + write);
            assertThat(claims.getStringClaim("task_id")).isEqualTo(body.get("task_id"));
            assertThat(claims.getClaim("act")).isNull();
            assertThat(claims.getClaim("budget")).isNull();
            assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(120_000L);

            byte[] hash = MessageDigest.getInstance("SHA-256").digest(((String) body.get("access_token")).getBytes(StandardCharsets.US_ASCII));
            var row = jdbc.sql("SELECT * FROM tokens WHERE jti = ?").param(claims.getJWTID()).query().singleRow();
            assertThat((byte[]) row.get("token_sha256")).isEqualTo(hash);
            assertThat(row).containsEntry("agent_id", planner).containsEntry("audience", ordersAudience)
                    .containsEntry("depth", 0).containsEntry("task_id", body.get("task_id"));
            assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE type = 'token.exchange' AND outcome = 'success' AND jti = ?")
                    .param(claims.getJWTID()).query(Long.class).single()).isEqualTo(1L);
        }

        @Test
        @DisplayName("with a budget: opens a budget account, and the token and response carry it")
        void budget() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("scope", budgeted);
            form.put("budget", "40");
            HttpResponse<String> response = token(form);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Map<String, Object> body = JSONObjectUtils.parse(response.body());
            assertThat(body.get("budget")).isEqualTo(Map.of("limit", 40L, "remaining", 40L, "unit", "calls"));
            JWTClaimsSet claims = SignedJWT.parse((String) body.get("access_token")).getJWTClaimsSet();
            assertThat(claims.getJSONObjectClaim("budget")).isEqualTo(Map.of("limit", 40L, "unit", "calls"));
            var account = jdbc.sql("""
                    SELECT b.limit_amount, b.remaining FROM tokens t JOIN budget_accounts b ON b.id = t.budget_account_id
                    WHERE t.jti = ?""").param(claims.getJWTID()).query().singleRow();
            assertThat(account).containsEntry("limit_amount", 40L).containsEntry("remaining", 40L);
        }

        @Test
        @DisplayName("TTL = min(requested, smallest max_ttl); the scopes' smallest default when none is requested")
        void ttl() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("ttl", "5000");
            Map<String, Object> body = JSONObjectUtils.parse(token(form).body());
            assertThat(body).containsEntry("expires_in", 900L);
            form = rootRequest(workloadJwt());
            form.put("ttl", "60");
            assertThat(JSONObjectUtils.parse(token(form).body())).containsEntry("expires_in", 60L);
            assertThat(JSONObjectUtils.parse(token(rootRequest(workloadJwt())).body())).containsEntry("expires_in", 300L);
        }

        @Test
        @DisplayName("resource= works like audience=")
        void resource() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.remove("audience");
            form.put("resource", ordersAudience);
            assertThat(token(form).statusCode()).isEqualTo(200);
        }

        @Test
        @DisplayName("an RS256 workload JWT is accepted too")
        void rs256() throws Exception {
            String jwt = spire.mint(JWSAlgorithm.RS256, c -> c.subject(plannerSubject).audience(brokerAudience), h -> { });
            assertThat(token(rootRequest(jwt)).statusCode()).isEqualTo(200);
        }

        @Test
        @DisplayName("the workload JWT as client assertion (jwt-bearer and jwt-spiffe), client_id matching")
        void clientAssertion() throws Exception {
            for (String type : List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe")) {
                Map<String, String> form = rootRequest(workloadJwt());
                form.put("client_assertion_type", type);
                form.put("client_assertion", workloadJwt());
                form.put("client_id", planner);
                HttpResponse<String> response = token(form);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
        }
    }

    @Nested
    @DisplayName("§4.1 exchange rules")
    class Rules {

        @Test
        @DisplayName("an unregistered audience: invalid_target")
        void unknownAudience() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("audience", "https://unknown.example.com");
            assertRefused(form, 400, "invalid_target");
        }

        @Test
        @DisplayName("no audience or resource: invalid_target")
        void noAudience() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.remove("audience");
            assertRefused(form, 400, "invalid_target");
        }

        @Test
        @DisplayName("a scope the agent is not allowed: invalid_scope")
        void notAllowed() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("scope", read + " " + catalog.id("x").split("-")[0] + ":admin");
            assertRefused(form, 400, "invalid_scope");
        }

        @Test
        @DisplayName("an unknown scope: invalid_scope")
        void unknownScope() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("scope", "nope:nothing");
            assertRefused(form, 400, "invalid_scope");
        }

        @Test
        @DisplayName("no scope on a root request: invalid_scope")
        void noScope() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.remove("scope");
            assertRefused(form, 400, "invalid_scope");
        }

        @Test
        @DisplayName("a budget above a scope's max_budget: invalid_request")
        void budgetAboveMax() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("scope", budgeted);
            form.put("budget", "101");
            assertRefused(form, 400, "invalid_request");
        }

        @ParameterizedTest(name = "ttl={0}")
        @ValueSource(strings = {"0", "-5", "abc", "1e3", "99999999999999999999", "+60", " 60", ""})
        @DisplayName("a malformed ttl: invalid_request")
        void badTtl(String ttl) throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("ttl", ttl);
            assertRefused(form, 400, "invalid_request");
        }

        @ParameterizedTest(name = "budget={0}")
        @ValueSource(strings = {"0", "-1", "x", "1.5", "99999999999999999999999"})
        @DisplayName("a zero, negative, non-numeric or huge budget: invalid_request")
        void badBudget(String budget) throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("scope", budgeted);
            form.put("budget", budget);
            assertRefused(form, 400, "invalid_request");
        }

        @Test
        @DisplayName("a task description over 200 characters: invalid_request")
        void longTask() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("task", "x".repeat(201));
            assertRefused(form, 400, "invalid_request");
        }

        @Test
        @DisplayName("an unsupported subject_token_type: invalid_request")
        void subjectTokenType() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
            form.put("client_assertion", workloadJwt());
            form.put("subject_token_type", "urn:ietf:params:oauth:token-type:saml2");
            assertRefused(form, 400, "invalid_request");
        }

        @Test
        @DisplayName("actor_token without actor_token_type: invalid_request")
        void actorWithoutType() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("actor_token", workloadJwt());
            assertRefused(form, 400, "invalid_request");
        }

        @Test
        @DisplayName("a disabled agent: invalid_request")
        void disabledAgent() throws Exception {
            assertRefused(rootRequest(spire.mint(plannerSubject + "-disabled", brokerAudience)), 400, "invalid_request");
        }

        @Test
        @DisplayName("an unregistered subject: invalid_request")
        void unknownAgent() throws Exception {
            assertRefused(rootRequest(spire.mint("spiffe://acme.org/agents/stranger", brokerAudience)), 400, "invalid_request");
        }

        @Test
        @DisplayName("a client assertion naming another agent than client_id: invalid_client")
        void clientIdMismatch() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
            form.put("client_assertion", workloadJwt());
            form.put("client_id", "someone-else");
            assertRefused(form, 401, "invalid_client");
        }

        @Test
        @DisplayName("two client authentication methods: invalid_request")
        void twoMethods() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
            form.put("client_assertion", workloadJwt());
            form.put("client_secret", "s3cret");
            assertRefused(form, 400, "invalid_request");
        }

        @Test
        @DisplayName("no grant_type: invalid_request; another grant: unsupported_grant_type")
        void grantType() throws Exception {
            Map<String, String> form = rootRequest(workloadJwt());
            form.remove("grant_type");
            assertThat(JSONObjectUtils.parse(token(form).body()).get("error")).isIn("invalid_request", "invalid_client");
            form = rootRequest(workloadJwt());
            form.put("grant_type", "client_credentials");
            form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
            form.put("client_assertion", workloadJwt());
            HttpResponse<String> response = token(form);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(JSONObjectUtils.parse(response.body())).containsEntry("error", "unsupported_grant_type");
        }
    }

    @Nested
    @DisplayName("SECURITY.md JOSE attacks on the workload JWT")
    class Jose {

        String claimsJson() {
            long now = Instant.now().getEpochSecond();
            return "{\"iss\":\"" + spire.issuer() + "\",\"sub\":\"" + plannerSubject + "\",\"aud\":\"" + brokerAudience
                    + "\",\"iat\":" + now + ",\"exp\":" + (now + 300) + "}";
        }

        String b64(String json) {
            return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
        }

        @ParameterizedTest(name = "alg={0}")
        @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
        @DisplayName("alg none in any case")
        void algNone(String alg) throws Exception {
            String token = b64("{\"alg\":\"" + alg + "\"}") + "." + b64(claimsJson()) + ".";
            assertRefused(rootRequest(token), 400, "invalid_request");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"null", "[]", "\"alg\"", "5"})
        @DisplayName("a header or claims part that is JSON but not an object (found by the fuzzer: JSON null made Nimbus throw an NPE, then a 500)")
        void headerNotAnObject(String json) throws Exception {
            assertRefused(rootRequest(b64(json) + "." + b64(claimsJson()) + ".c2ln"), 400, "invalid_request");
            assertRefused(rootRequest(b64("{\"alg\":\"ES256\"}") + "." + b64(json) + ".c2ln"), 400, "invalid_request");
        }

        @Test
        @DisplayName("HS256 with the issuer's public key as the HMAC secret")
        void hmacConfusion() throws Exception {
            byte[] publicKeyBytes = spire.ecKey().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
            byte[] secret = MessageDigest.getInstance("SHA-256").digest(publicKeyBytes);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(spire.ecKey().getKeyID()).build(),
                    JWTClaimsSet.parse(claimsJson()));
            jwt.sign(new MACSigner(secret));
            assertRefused(rootRequest(jwt.serialize()), 400, "invalid_request");
        }

        @Test
        @DisplayName("an algorithm the issuer does not allow (RS256 at an ES256-only issuer)")
        void algNotAllowed() throws Exception {
            String jwt = other.mint(JWSAlgorithm.RS256, c -> c.subject(plannerSubject).audience(brokerAudience), h -> { });
            assertRefused(rootRequest(jwt), 400, "invalid_request");
        }

        @Test
        @DisplayName("a stripped signature, a zero ECDSA signature and an edited claim")
        void signatures() throws Exception {
            String good = workloadJwt();
            String[] parts = good.split("\\.");
            assertRefused(rootRequest(parts[0] + "." + parts[1] + "."), 400, "invalid_request");
            String zero = Base64URL.encode(new byte[64]).toString();
            assertRefused(rootRequest(parts[0] + "." + parts[1] + "." + zero), 400, "invalid_request");
            String edited = b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace(plannerSubject, plannerSubject + "x"));
            assertRefused(rootRequest(parts[0] + "." + edited + "." + parts[2]), 400, "invalid_request");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"jku", "x5u", "jwk", "x5c"})
        @DisplayName("key-locating headers are refused, nothing is fetched")
        void keyHeaders(String header) throws Exception {
            ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(spire.ecKey().getKeyID()).generate();
            JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(attacker.getKeyID());
            switch (header) {
                case "jku" -> h.jwkURL(java.net.URI.create("http://127.0.0.1:1/attacker.json"));
                case "x5u" -> h.x509CertURL(java.net.URI.create("http://127.0.0.1:1/cert.pem"));
                case "jwk" -> h.jwk(attacker.toPublicJWK());
                default -> h.x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode("not a cert")));
            }
            SignedJWT jwt = new SignedJWT(h.build(), JWTClaimsSet.parse(claimsJson()));
            jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(attacker));
            assertRefused(rootRequest(jwt.serialize()), 400, "invalid_request");
        }

        @Test
        @DisplayName("an unknown crit header")
        void crit() throws Exception {
            String jwt = spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience(brokerAudience),
                    h -> h.criticalParams(java.util.Set.of("exp-policy")).customParam("exp-policy", "x"));
            assertRefused(rootRequest(jwt), 400, "invalid_request");
        }

        @Test
        @DisplayName("expired, not yet valid and issued in the future (beyond 60 s leeway)")
        void times() throws Exception {
            Instant now = Instant.now();
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience(brokerAudience)
                    .expirationTime(Date.from(now.minusSeconds(120))), h -> { })), 400, "invalid_request");
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience(brokerAudience)
                    .notBeforeTime(Date.from(now.plusSeconds(120))), h -> { })), 400, "invalid_request");
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience(brokerAudience)
                    .issueTime(Date.from(now.plusSeconds(120))), h -> { })), 400, "invalid_request");
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience(brokerAudience)
                    .expirationTime(null), h -> { })), 400, "invalid_request");
        }

        @Test
        @DisplayName("a wrong iss (trailing slash, case) and issuer B's key claiming issuer A")
        void issuers() throws Exception {
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.issuer(spire.issuer() + "/").subject(plannerSubject)
                    .audience(brokerAudience), h -> { })), 400, "invalid_request");
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.issuer(spire.issuer().toUpperCase()).subject(plannerSubject)
                    .audience(brokerAudience), h -> { })), 400, "invalid_request");
            assertRefused(rootRequest(other.mint(JWSAlgorithm.ES256, c -> c.issuer(spire.issuer()).subject(plannerSubject)
                    .audience(brokerAudience), h -> h.keyID(spire.ecKey().getKeyID()))), 400, "invalid_request");
        }

        @Test
        @DisplayName("missing or wrong aud, missing sub")
        void audAndSub() throws Exception {
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience((String) null), h -> { })),
                    400, "invalid_request");
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience("https://elsewhere"), h -> { })),
                    400, "invalid_request");
            assertRefused(rootRequest(spire.mint(JWSAlgorithm.ES256, c -> c.audience(brokerAudience), h -> { })),
                    400, "invalid_request");
        }

        @Test
        @DisplayName("a Mandate access token presented as a workload identity")
        void accessTokenAsIdentity() throws Exception {
            String accessToken = (String) JSONObjectUtils.parse(token(rootRequest(workloadJwt())).body()).get("access_token");
            assertRefused(rootRequest(accessToken), 400, "invalid_request");
        }

        @Test
        @DisplayName("garbage, a JWE-shaped token and a huge token")
        void garbage() throws Exception {
            assertRefused(rootRequest("not-a-jwt"), 400, "invalid_request");
            assertRefused(rootRequest(b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".a.b.c.d"), 400, "invalid_request");
            String huge = b64("{\"alg\":\"ES256\"}") + "." + b64("{\"x\":\"" + "a".repeat(30_000) + "\"}") + ".sig";
            assertRefused(rootRequest(huge), 400, "invalid_request");
        }

        @Test
        @DisplayName("a token of type at+jwt minted by the workload issuer itself")
        void atJwtFromIssuer() throws Exception {
            String jwt = spire.mint(JWSAlgorithm.ES256, c -> c.subject(plannerSubject).audience(brokerAudience),
                    h -> h.type(new JOSEObjectType("at+jwt")));
            assertRefused(rootRequest(jwt), 400, "invalid_request");
        }
    }

    @Test
    @DisplayName("every refusal of this class named a reason in the audit trail")
    void refusalsHaveReasons() {
        assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE outcome = 'refused' AND (reason IS NULL OR reason = '')")
                .query(Long.class).single()).isZero();
    }

    static String unused() {
        return UUID.randomUUID() + Duration.ZERO.toString();
    }
}
