package dev.mandate.exchange.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.exchange.ExchangeError;
import dev.mandate.exchange.ExchangeRefused;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

/** An issuer's jwks_uri that answers garbage: the exchange is refused as "keys unavailable", never an exception. */
class HostileJwksTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"null", "[]", "{\"keys\":null}", "{\"keys\":[null]}", "not json", ""})
    @DisplayName("a JWKS endpoint answering JSON null, an array, null keys or garbage: temporarily_unavailable")
    void hostileJwks(String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            URL jwksUri = new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
            TrustedIssuer issuer = new TrustedIssuer("spire", "https://spire.hostile", "https://mandate.hostile",
                    Set.of(JWSAlgorithm.ES256), IssuerKeySources.remote(jwksUri, IssuerKeySources.RemoteLimits.DEFAULT));
            AgentDirectory agents = new AgentDirectory() {
                @Override
                public Optional<dev.mandate.catalog.Agent> byId(String id) {
                    return Optional.empty();
                }

                @Override
                public Optional<dev.mandate.catalog.Agent> byIssuerAndSubject(String iss, String subject) {
                    return Optional.empty();
                }
            };
            WorkloadIdentityVerifier verifier = new WorkloadIdentityVerifier(
                    iss -> issuer.issuer().equals(iss) ? Optional.of(issuer) : Optional.empty(), agents, Clock.systemUTC());
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k").build(),
                    new JWTClaimsSet.Builder().issuer(issuer.issuer()).subject("spiffe://x/a").audience(issuer.audience())
                            .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
            jwt.sign(new ECDSASigner(key));
            assertThatThrownBy(() -> verifier.verify(jwt.serialize())).isInstanceOfSatisfying(ExchangeRefused.class,
                    refused -> assertThat(refused.error()).isIn(ExchangeError.TEMPORARILY_UNAVAILABLE, ExchangeError.INVALID_REQUEST));
        } finally {
            server.stop(0);
        }
    }
}
