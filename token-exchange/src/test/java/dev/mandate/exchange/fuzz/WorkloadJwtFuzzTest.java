package dev.mandate.exchange.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.catalog.Agent;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.catalog.ScopeSet;
import dev.mandate.exchange.ExchangeRefused;
import dev.mandate.exchange.workload.IssuerKeySources;
import dev.mandate.exchange.workload.TrustedIssuer;
import dev.mandate.exchange.workload.WorkloadIdentity;
import dev.mandate.exchange.workload.WorkloadIdentityVerifier;

/**
 * Coverage-guided fuzzing of the JWT/JWK path (issue 10, SECURITY.md "JOSE"). Properties: the
 * verifier either accepts a token that really is signed by the trusted key, names the trusted
 * issuer, this broker and a registered subject, or refuses with {@link ExchangeRefused}; nothing
 * else ever escapes. Inline JWK sets parse or are refused with IllegalArgumentException.
 *
 * Regression mode (every build) replays the seeds in {@code src/test/resources/.../WorkloadJwtFuzzTestInputs/};
 * fuzzing mode: {@code JAZZER_FUZZ=1 ./mvnw -pl token-exchange test -Dtest=WorkloadJwtFuzzTest#<method>} (README "Fuzzing").
 */
class WorkloadJwtFuzzTest {

    static final String ISSUER = "https://spire.fuzz";
    static final String BROKER = "https://mandate.fuzz";
    static final ECKey KEY;
    static final ECKey OTHER;
    static final WorkloadIdentityVerifier VERIFIER;
    static final Agent AGENT = new Agent("planner", "spire", ISSUER, "spiffe://fuzz/planner", ScopeSet.parse("orders:read"),
            Set.of(), 3, null, true);

    static {
        try {
            KEY = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
            OTHER = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new ExceptionInInitializerError(e);
        }
        TrustedIssuer issuer = new TrustedIssuer("spire", ISSUER, BROKER, Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256),
                IssuerKeySources.inline(new JWKSet(KEY.toPublicJWK()).toString()));
        AgentDirectory agents = new AgentDirectory() {
            @Override
            public Optional<Agent> byId(String id) {
                return AGENT.id().equals(id) ? Optional.of(AGENT) : Optional.empty();
            }

            @Override
            public Optional<Agent> byIssuerAndSubject(String iss, String subject) {
                return ISSUER.equals(iss) && AGENT.subject().equals(subject) ? Optional.of(AGENT) : Optional.empty();
            }
        };
        VERIFIER = new WorkloadIdentityVerifier(iss -> ISSUER.equals(iss) ? Optional.of(issuer) : Optional.empty(), agents,
                Clock.systemUTC());
    }

    /** Any string as the workload JWT: it never verifies (no seed carries a valid signature), so always refused. */
    @FuzzTest(maxDuration = "5m")
    void anyString(byte[] input) {
        String token = new String(input, StandardCharsets.UTF_8);
        try {
            VERIFIER.verify(token);
            throw new AssertionError("a token without a signature by the trusted key was accepted: " + token);
        } catch (ExchangeRefused expected) {
            assertThat(expected.reasonCode()).isNotBlank();
        }
    }

    /**
     * Header and claims JSON from the fuzzer, signed with the trusted key (or another key, or the
     * signature replaced by fuzz bytes). Accepted only when signed by the trusted key with ES256 and
     * claims that are right; refused with ExchangeRefused otherwise.
     */
    @FuzzTest(maxDuration = "5m")
    void signedFuzzedParts(FuzzedDataProvider data) throws Exception {
        int mode = data.consumeInt(0, 2);
        String header = data.consumeString(400);
        String claims = data.consumeRemainingAsString();
        String signingInput = b64(header) + "." + b64(claims);
        String token;
        if (mode == 2) {
            token = signingInput + "." + b64(claims.length() > 8 ? claims.substring(0, 8) : claims);
        } else {
            ECDSASigner signer = new ECDSASigner(mode == 0 ? KEY : OTHER);
            Base64URL signature = signer.sign(new JWSHeader(JWSAlgorithm.ES256), signingInput.getBytes(StandardCharsets.US_ASCII));
            token = signingInput + "." + signature;
        }
        WorkloadIdentity identity;
        try {
            identity = VERIFIER.verify(token);
        } catch (ExchangeRefused refused) {
            return;
        }
        // Accepted: it must be exactly what a legitimate issuer could have produced.
        assertThat(mode).as("accepted a token not signed by the trusted key").isZero();
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getJWKURL()).isNull();
        assertThat(jwt.getHeader().getJWK()).isNull();
        JWTClaimsSet set = jwt.getJWTClaimsSet();
        assertThat(set.getIssuer()).isEqualTo(ISSUER);
        assertThat(set.getAudience()).contains(BROKER);
        assertThat(set.getExpirationTime()).isAfter(Date.from(Instant.now().minusSeconds(5)));
        assertThat(identity.agent()).isEqualTo(AGENT);
    }

    /** An admin-supplied inline JWK set: parsed to public keys, or IllegalArgumentException. */
    @FuzzTest(maxDuration = "5m")
    void inlineJwks(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        try {
            IssuerKeySources.inline(json);
        } catch (IllegalArgumentException expected) {
            // refused with a message
        }
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
