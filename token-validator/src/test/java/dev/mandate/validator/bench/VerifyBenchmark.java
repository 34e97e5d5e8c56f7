package dev.mandate.validator.bench;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.mandate.validator.MandateToken;
import dev.mandate.validator.MandateTokenValidator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Offline verification of one ES256 Mandate token: token-validator versus raw Nimbus
 * (parse + ECDSA verify + claims parse), single thread. Not a test: run with
 * {@code java -cp <test classpath> dev.mandate.validator.bench.VerifyBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class VerifyBenchmark {

    HttpServer server;
    String token;
    MandateTokenValidator validator;
    ECDSAVerifier raw;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        byte[] metadata = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\"}").getBytes(StandardCharsets.UTF_8);
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server.createContext("/.well-known/oauth-authorization-server", ex -> { ex.sendResponseHeaders(200, metadata.length); try (OutputStream o = ex.getResponseBody()) { o.write(metadata); } });
        server.createContext("/jwks", ex -> { ex.getResponseHeaders().add("Cache-Control", "max-age=3600"); ex.sendResponseHeaders(200, jwks.length); try (OutputStream o = ex.getResponseBody()) { o.write(jwks); } });
        server.start();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).keyID("k1").build(),
                new JWTClaimsSet.Builder().issuer(issuer).subject("spiffe://acme/planner").audience("https://orders")
                        .claim("client_id", "coder").claim("scope", "orders:read").claim("task_id", "tsk_1").jwtID("j")
                        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                        .claim("act", Map.of("sub", "spiffe://acme/coder", "iss", "https://spire")).build());
        jwt.sign(new ECDSASigner(key));
        token = jwt.serialize();
        validator = MandateTokenValidator.builder(issuer, "https://orders").build();
        validator.validate(token);   // fills the JWKS cache
        raw = new ECDSAVerifier(key.toPublicJWK());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.stop(0);
    }

    @Benchmark
    public MandateToken mandateValidator() throws Exception {
        return validator.validate(token);
    }

    @Benchmark
    public JWTClaimsSet rawNimbus() throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        if (!jwt.verify(raw)) {
            throw new IllegalStateException();
        }
        return jwt.getJWTClaimsSet();
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(VerifyBenchmark.class.getSimpleName()).build()).run();
    }
}
