package dev.mandate.broker.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A workload-identity issuer standing in for SPIRE or Kubernetes: real ES256 and RS256 keys
 * generated at run time, its JWKS served over HTTP on loopback, and real signed JWTs.
 */
public final class TestWorkloadIssuer implements AutoCloseable {

    private final ECKey ecKey;
    private final RSAKey rsaKey;
    private final HttpServer server;
    private final String issuer;
    private final AtomicInteger jwksFetches = new AtomicInteger();

    public TestWorkloadIssuer(String name) {
        try {
            ecKey = new ECKeyGenerator(Curve.P_256).keyID(name + "-ec").keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256).generate();
            rsaKey = new RSAKeyGenerator(2048).keyID(name + "-rsa").keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).generate();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] jwks = new JWKSet(List.of(ecKey.toPublicJWK(), rsaKey.toPublicJWK())).toString(true)
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/jwks.json", exchange -> {
            jwksFetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        server.start();
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    public String issuer() {
        return issuer;
    }

    public String jwksUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    }

    public String publicJwks() {
        return new JWKSet(List.of(ecKey.toPublicJWK(), rsaKey.toPublicJWK())).toString(true);
    }

    public ECKey ecKey() {
        return ecKey;
    }

    public RSAKey rsaKey() {
        return rsaKey;
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** An ES256 workload JWT for {@code subject}, audience {@code audience}, valid for 5 minutes. */
    public String mint(String subject, String audience) {
        return mint(JWSAlgorithm.ES256, claims -> claims.subject(subject).audience(audience), header -> { });
    }

    public String mint(JWSAlgorithm alg, Consumer<JWTClaimsSet.Builder> claims, Consumer<JWSHeader.Builder> header) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(issuer).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))).jwtID(UUID.randomUUID().toString());
        claims.accept(builder);
        boolean ec = alg.getName().startsWith("ES");
        JWSHeader.Builder h = new JWSHeader.Builder(alg).keyID(ec ? ecKey.getKeyID() : rsaKey.getKeyID());
        header.accept(h);
        SignedJWT jwt = new SignedJWT(h.build(), builder.build());
        try {
            jwt.sign(ec ? new ECDSASigner(ecKey) : new RSASSASigner(rsaKey));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
