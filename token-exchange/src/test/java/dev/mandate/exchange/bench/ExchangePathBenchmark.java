package dev.mandate.exchange.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
import dev.mandate.catalog.Agent;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.catalog.ResourceServer;
import dev.mandate.catalog.ScopeCatalog;
import dev.mandate.catalog.ScopeDefinition;
import dev.mandate.catalog.ScopeName;
import dev.mandate.catalog.ScopeSet;
import dev.mandate.exchange.AccessTokenClaims;
import dev.mandate.exchange.ExchangeRequest;
import dev.mandate.exchange.Grant;
import dev.mandate.exchange.TokenExchangePolicy;
import dev.mandate.exchange.workload.IssuerKeySources;
import dev.mandate.exchange.workload.TrustedIssuer;
import dev.mandate.exchange.workload.WorkloadIdentity;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The in-process part of a root exchange, step by step (issue 11), single thread, µs per
 * operation, ES256: verify the workload JWT (fresh and cached), parse the request, the policy,
 * claim building, signing, and the re-verification of the minted token; plus the whole path.
 * HTTP, Spring Security and PostgreSQL are not in it, so regressions show without their noise.
 * Run: {@code java -cp <test classpath> dev.mandate.exchange.bench.ExchangePathBenchmark} (README "Benchmarks").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExchangePathBenchmark {

    static final String ISSUER = "https://spire.bench";
    static final String BROKER = "https://mandate.bench";
    static final ResourceServer ORDERS = new ResourceServer("orders", "https://orders.bench", "calls");

    ECKey workloadKey;
    ECKey brokerKey;
    ECDSASigner brokerSigner;
    ECDSAVerifier brokerVerifier;
    TrustedIssuer issuer;
    Agent planner;
    AgentDirectory agents;
    ScopeCatalog catalog;
    TokenExchangePolicy policy;
    WorkloadIdentityVerifier cachedVerifier;
    String workloadJwt;
    Map<String, List<String>> form;
    ExchangeRequest request;
    Grant grant;
    JWTClaimsSet claims;
    String minted;
    com.nimbusds.jose.crypto.Ed25519Signer edSigner;
    com.nimbusds.jose.crypto.Ed25519Verifier edVerifier;
    String mintedEd;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workloadKey = new ECKeyGenerator(Curve.P_256).keyID("w1").generate();
        brokerKey = new ECKeyGenerator(Curve.P_256).keyID("b1").generate();
        brokerSigner = new ECDSASigner(brokerKey);
        brokerVerifier = new ECDSAVerifier(brokerKey.toPublicJWK());
        issuer = new TrustedIssuer("spire", ISSUER, BROKER, Set.of(JWSAlgorithm.ES256),
                IssuerKeySources.inline(new JWKSet(workloadKey.toPublicJWK()).toString()));
        planner = new Agent("planner", "spire", ISSUER, "spiffe://bench/planner", ScopeSet.parse("orders:read orders:spend"),
                Set.of("coder"), 3, null, true);
        agents = new AgentDirectory() {
            @Override
            public Optional<Agent> byId(String id) {
                return "planner".equals(id) ? Optional.of(planner) : Optional.empty();
            }

            @Override
            public Optional<Agent> byIssuerAndSubject(String iss, String subject) {
                return ISSUER.equals(iss) && planner.subject().equals(subject) ? Optional.of(planner) : Optional.empty();
            }
        };
        Map<ScopeName, ScopeDefinition> scopes = new LinkedHashMap<>();
        for (String name : List.of("orders:read", "orders:spend")) {
            scopes.put(new ScopeName(name), new ScopeDefinition(new ScopeName(name), "orders", Duration.ofSeconds(300),
                    Duration.ofSeconds(900), 1000L, true));
        }
        catalog = new ScopeCatalog() {
            @Override
            public Optional<ResourceServer> resourceServerByAudience(String audience) {
                return ORDERS.audience().equals(audience) ? Optional.of(ORDERS) : Optional.empty();
            }

            @Override
            public Optional<ResourceServer> resourceServerById(String id) {
                return ORDERS.id().equals(id) ? Optional.of(ORDERS) : Optional.empty();
            }

            @Override
            public Map<ScopeName, ScopeDefinition> definitions(Collection<ScopeName> names) {
                Map<ScopeName, ScopeDefinition> found = new LinkedHashMap<>();
                names.forEach(n -> Optional.ofNullable(scopes.get(n)).ifPresent(d -> found.put(n, d)));
                return found;
            }
        };
        policy = new TokenExchangePolicy(Clock.systemUTC(), Duration.ofHours(1));
        cachedVerifier = verifier();
        workloadJwt = mintWorkload();
        form = new LinkedHashMap<>();
        form.put("audience", List.of(ORDERS.audience()));
        form.put("scope", List.of("orders:spend"));
        form.put("budget", List.of("50"));
        request = ExchangeRequest.parse(form);
        grant = policy.root(planner, request, catalog);
        claims = AccessTokenClaims.build(grant, BROKER);
        minted = sign(claims);
        com.nimbusds.jose.jwk.OctetKeyPair ed = new com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator(Curve.Ed25519).keyID("e1").generate();
        edSigner = new com.nimbusds.jose.crypto.Ed25519Signer(ed);
        edVerifier = new com.nimbusds.jose.crypto.Ed25519Verifier(ed.toPublicJWK());
        mintedEd = signEd(claims);
        cachedVerifier.verify(workloadJwt);
    }

    WorkloadIdentityVerifier verifier() {
        return new WorkloadIdentityVerifier(iss -> ISSUER.equals(iss) ? Optional.of(issuer) : Optional.empty(), agents,
                Clock.systemUTC());
    }

    String mintWorkload() throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("w1").build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).subject(planner.subject()).audience(BROKER).issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(3600))).jwtID(UUID.randomUUID().toString()).build());
        jwt.sign(new ECDSASigner(workloadKey));
        return jwt.serialize();
    }

    String sign(JWTClaimsSet set) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("b1").type(new JOSEObjectType("at+jwt")).build(), set);
        jwt.sign(brokerSigner);
        return jwt.serialize();
    }

    String signEd(JWTClaimsSet set) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("e1").type(new JOSEObjectType("at+jwt")).build(), set);
        jwt.sign(edSigner);
        return jwt.serialize();
    }

    /** mandate.keys.algorithm=EdDSA (Ed25519 on Tink). */
    @Benchmark
    public String signEdDSA() throws Exception {
        return signEd(claims);
    }

    @Benchmark
    public boolean reverifyMintedEdDSA() throws Exception {
        return SignedJWT.parse(mintedEd).verify(edVerifier);
    }

    @Benchmark
    public boolean rootPathCachedWorkloadEdDSA() throws Exception {
        cachedVerifier.verify(workloadJwt);
        Grant g = policy.root(planner, ExchangeRequest.parse(form), catalog);
        String token = signEd(AccessTokenClaims.build(g, BROKER));
        return SignedJWT.parse(token).verify(edVerifier);
    }

    /** A first-time workload JWT: parse, header checks, ECDSA P-256 verify, claims, agent. */
    @Benchmark
    public WorkloadIdentity verifyWorkloadFresh() {
        return verifier().verify(workloadJwt);
    }

    /** The same workload JWT again within its lifetime (what agents do): the signature verdict is remembered. */
    @Benchmark
    public WorkloadIdentity verifyWorkloadCached() {
        return cachedVerifier.verify(workloadJwt);
    }

    @Benchmark
    public ExchangeRequest parseRequest() {
        return ExchangeRequest.parse(form);
    }

    @Benchmark
    public Grant policyRoot() {
        return policy.root(planner, request, catalog);
    }

    @Benchmark
    public JWTClaimsSet buildClaims() {
        return AccessTokenClaims.build(grant, BROKER);
    }

    @Benchmark
    public String signES256() throws Exception {
        return sign(claims);
    }

    /** The broker re-verifies every token it mints before committing it. */
    @Benchmark
    public boolean reverifyMinted() throws Exception {
        return SignedJWT.parse(minted).verify(brokerVerifier);
    }

    /** Everything in-process for one root exchange with a reused workload JWT. */
    @Benchmark
    public boolean rootPathCachedWorkload() throws Exception {
        cachedVerifier.verify(workloadJwt);
        Grant g = policy.root(planner, ExchangeRequest.parse(form), catalog);
        String token = sign(AccessTokenClaims.build(g, BROKER));
        return SignedJWT.parse(token).verify(brokerVerifier);
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(ExchangePathBenchmark.class.getSimpleName()).build()).run();
    }
}
