package dev.mandate.validator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RFC 9068 validation against a broker stand-in serving RFC 8414 metadata and a JWKS on loopback. */
class MandateTokenValidatorTest {

    static final String AUDIENCE = "https://orders.example.com";
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    HttpServer server;
    String issuer;
    ECKey key;
    final AtomicReference<JWKSet> published = new AtomicReference<>();
    final AtomicInteger jwksFetches = new AtomicInteger();
    MandateTokenValidator validator;

    @BeforeEach
    void start() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
        published.set(new JWKSet(key.toPublicJWK()));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/.well-known/oauth-authorization-server", ex -> reply(ex, "{\"issuer\":\"" + issuer
                + "\",\"jwks_uri\":\"" + issuer + "/oauth2/jwks\"}", null));
        server.createContext("/oauth2/jwks", ex -> {
            jwksFetches.incrementAndGet();
            reply(ex, published.get().toString(), "public, max-age=300");
        });
        server.start();
        validator = MandateTokenValidator.builder(issuer, AUDIENCE).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .minJwksRefreshInterval(Duration.ZERO).build();
    }

    static void reply(com.sun.net.httpserver.HttpExchange ex, String body, String cacheControl) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (cacheControl != null) {
            ex.getResponseHeaders().add("Cache-Control", cacheControl);
        }
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String token(ECKey signer, Consumer<JWTClaimsSet.Builder> claims, Consumer<JWSHeader.Builder> header) throws Exception {
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().issuer(issuer).subject("spiffe://acme/planner").audience(AUDIENCE)
                .claim("client_id", "coder").claim("scope", "orders:read orders:write").claim("task_id", "tsk_1").jwtID("j1")
                .issueTime(Date.from(NOW.minusSeconds(10))).expirationTime(Date.from(NOW.plusSeconds(300)))
                .claim("budget", Map.of("limit", 20, "unit", "calls"))
                .claim("act", Map.of("sub", "spiffe://acme/coder", "iss", "https://spire", "act", Map.of("sub", "spiffe://acme/researcher", "iss", "https://spire")));
        claims.accept(c);
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).keyID(signer.getKeyID());
        header.accept(h);
        SignedJWT jwt = new SignedJWT(h.build(), c.build());
        jwt.sign(new ECDSASigner(signer));
        return jwt.serialize();
    }

    String token() throws Exception {
        return token(key, c -> { }, h -> { });
    }

    void refused(String token, InvalidTokenException.Reason reason) {
        assertThatThrownBy(() -> validator.validate(token)).isInstanceOfSatisfying(InvalidTokenException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    @DisplayName("a valid token yields subject, client_id, scopes, task, the actor chain and the budget")
    void valid() throws Exception {
        MandateToken t = validator.validate(token());
        assertThat(t.subject()).isEqualTo("spiffe://acme/planner");
        assertThat(t.clientId()).isEqualTo("coder");
        assertThat(t.scopes()).containsExactlyInAnyOrder("orders:read", "orders:write");
        assertThat(t.taskId()).isEqualTo("tsk_1");
        assertThat(t.actors()).extracting(MandateToken.Actor::subject).containsExactly("spiffe://acme/coder", "spiffe://acme/researcher");
        assertThat(t.budget()).isEqualTo(new MandateToken.Budget(20, "calls"));
        assertThat(t.depth()).isEqualTo(2);
    }

    @Test
    @DisplayName("wrong aud, wrong iss, expired, not yet valid")
    void claims() throws Exception {
        refused(token(key, c -> c.audience("https://billing.example.com"), h -> { }), InvalidTokenException.Reason.WRONG_AUDIENCE);
        refused(token(key, c -> c.issuer(issuer + "/"), h -> { }), InvalidTokenException.Reason.WRONG_ISSUER);
        refused(token(key, c -> c.expirationTime(Date.from(NOW.minusSeconds(60))), h -> { }), InvalidTokenException.Reason.EXPIRED);
        refused(token(key, c -> c.notBeforeTime(Date.from(NOW.plusSeconds(120))), h -> { }), InvalidTokenException.Reason.NOT_YET_VALID);
    }

    @Test
    @DisplayName("alg none, HMAC with the public key as secret, wrong typ, unknown kid, tampered claims, a foreign key")
    void attacks() throws Exception {
        String b64claims = Base64URL.encode("{\"iss\":\"" + issuer + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":9999999999}").toString();
        refused(Base64URL.encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "." + b64claims + ".", InvalidTokenException.Reason.ALGORITHM_NOT_ALLOWED);
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).keyID("k1").build(),
                JWTClaimsSet.parse("{\"iss\":\"" + issuer + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":9999999999}"));
        hmac.sign(new MACSigner(java.security.MessageDigest.getInstance("SHA-256").digest(key.toPublicJWK().toJSONString().getBytes())));
        refused(hmac.serialize(), InvalidTokenException.Reason.ALGORITHM_NOT_ALLOWED);
        refused(token(key, c -> { }, h -> h.type(JOSEObjectType.JWT)), InvalidTokenException.Reason.WRONG_TYPE);
        refused(token(key, c -> { }, h -> h.keyID("nope")), InvalidTokenException.Reason.UNKNOWN_KEY);
        String[] parts = token().split("\\.");
        String edited = Base64URL.encode(new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                .replace("orders:read", "orders:admin")).toString();
        refused(parts[0] + "." + edited + "." + parts[2], InvalidTokenException.Reason.BAD_SIGNATURE);
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        refused(token(attacker, c -> { }, h -> { }), InvalidTokenException.Reason.BAD_SIGNATURE);
    }

    @Test
    @DisplayName("a rotated key is picked up on its first unknown kid; the cache otherwise holds for max-age")
    void rotation() throws Exception {
        validator.validate(token());
        validator.validate(token());
        assertThat(jwksFetches.get()).isEqualTo(1);
        ECKey next = new ECKeyGenerator(Curve.P_256).keyID("k2").algorithm(JWSAlgorithm.ES256).generate();
        published.set(new JWKSet(List.of(key.toPublicJWK(), next.toPublicJWK())));
        assertThat(validator.validate(token(next, c -> { }, h -> { })).subject()).isEqualTo("spiffe://acme/planner");
        assertThat(validator.validate(token()).clientId()).isEqualTo("coder");
        assertThat(jwksFetches.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("unknown kids refetch at most once per interval")
    void rateLimited() throws Exception {
        MandateTokenValidator limited = MandateTokenValidator.builder(issuer, AUDIENCE).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .minJwksRefreshInterval(Duration.ofSeconds(30)).build();
        limited.validate(token());
        for (int i = 0; i < 20; i++) {
            final int n = i;
            assertThatThrownBy(() -> limited.validate(token(key, c -> { }, h -> h.keyID("made-up-" + n)))).isInstanceOf(InvalidTokenException.class);
        }
        assertThat(jwksFetches.get()).isEqualTo(1);
    }
}
