package dev.mandate.exchange.workload;

import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.catalog.Agent;
import dev.mandate.catalog.AgentDirectory;
import dev.mandate.exchange.ExchangeError;
import dev.mandate.exchange.ExchangeRefused;

/**
 * Verifies an agent's workload JWT (SPEC §2, SECURITY.md "JOSE"). Every refusal is an
 * {@code invalid_request} with a reason code; a caller that verifies a client assertion maps it to
 * {@code invalid_client} with {@link ExchangeRefused#as}.
 */
public final class WorkloadIdentityVerifier {

    public static final int MAX_TOKEN_LENGTH = 16 * 1024;
    public static final Duration LEEWAY = Duration.ofSeconds(60);

    private final TrustedIssuers issuers;
    private final AgentDirectory agents;
    private final Clock clock;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
    /**
     * Signatures already verified, by SHA-256 of the token: agents present the same workload JWT
     * for its whole lifetime, and an ECDSA verification costs far more than everything else in an
     * exchange. A hit still re-checks the issuer (same key source and algorithms), every time-based
     * claim and the agent; entries die with the token's exp. Bounded; cleared when full.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Verified> verified = new java.util.concurrent.ConcurrentHashMap<>();
    static final int CACHE_LIMIT = 10_000;

    private record Verified(com.nimbusds.jose.jwk.source.JWKSource<SecurityContext> keys, JWSAlgorithm alg, JWTClaimsSet claims) {
    }

    public WorkloadIdentityVerifier(TrustedIssuers issuers, AgentDirectory agents, Clock clock) {
        this.issuers = issuers;
        this.agents = agents;
        this.clock = clock;
    }

    public WorkloadIdentity verify(String token) {
        if (token == null || token.isEmpty()) {
            throw refused("token_missing", "no workload JWT");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw refused("token_too_large", "the workload JWT is larger than 16 KiB");
        }
        com.nimbusds.jwt.JWT parsed;
        try {
            parsed = com.nimbusds.jwt.JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            // RuntimeException: Nimbus 10.9 throws NullPointerException for a header that is JSON
            // null ("bnVsbA"); found by WorkloadJwtFuzzTest, kept as its seed crash-7e7267a9...
            throw refused("token_malformed", "the workload JWT is not a compact JWS");
        }
        if (parsed instanceof PlainJWT) {
            throw refused("alg_none", "unsigned JWTs (alg none) are refused");
        }
        if (parsed instanceof EncryptedJWT) {
            throw refused("jwe_refused", "encrypted JWTs are refused");
        }
        if (!(parsed instanceof SignedJWT jwt)) {
            throw refused("token_malformed", "the workload JWT is not a compact JWS");
        }
        JWSHeader header = jwt.getHeader();
        checkHeader(header);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw refused("claims_malformed", "the workload JWT's claims are not a JSON object");
        }
        String iss = claims.getIssuer();
        if (iss == null) {
            throw refused("issuer_missing", "the workload JWT has no iss");
        }
        TrustedIssuer issuer = issuers.byIssuer(iss)
                .filter(i -> i.issuer().equals(iss))   // byte-exact, whatever the lookup did
                .orElseThrow(() -> refused("issuer_unknown", "the workload JWT's issuer is not trusted"));
        if (!issuer.algorithms().contains(header.getAlgorithm())) {
            throw refused("alg_not_allowed", "algorithm " + header.getAlgorithm().getName() + " is not allowed for this issuer");
        }
        String cacheKey = sha256(token);
        Verified hit = verified.get(cacheKey);
        if (hit == null || hit.keys() != issuer.keys() || !hit.alg().equals(header.getAlgorithm())) {
            verifySignature(jwt, issuer);
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(cacheKey, new Verified(issuer.keys(), header.getAlgorithm(), claims));
        }
        checkClaims(claims, issuer);
        Agent agent = agents.byIssuerAndSubject(issuer.issuer(), claims.getSubject())
                .orElseThrow(() -> refused("agent_unknown", "no agent is registered for this workload identity"));
        if (!agent.enabled()) {
            throw refused("agent_disabled", "the agent is disabled");
        }
        return new WorkloadIdentity(agent, issuer, claims);
    }

    private static void checkHeader(JWSHeader header) {
        JWSAlgorithm alg = header.getAlgorithm();
        if (alg == null || alg.getName().toLowerCase(Locale.ROOT).equals("none")) {
            throw refused("alg_none", "unsigned JWTs (alg none) are refused");
        }
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw refused("alg_not_allowed", "HMAC algorithms are never accepted for workload identities");
        }
        if (header.getJWKURL() != null || header.getX509CertURL() != null || header.getJWK() != null
                || header.getX509CertChain() != null) {
            throw refused("header_forbidden", "jku, x5u, jwk and x5c headers are refused: keys come from the issuer's JWKS");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw refused("crit_unsupported", "critical header parameters are not supported");
        }
        if (header.getContentType() != null && header.getContentType().toUpperCase(Locale.ROOT).endsWith("JWT")) {
            throw refused("nested_jwt", "nested JWTs are refused");
        }
        JOSEObjectType typ = header.getType();
        if (typ != null) {
            String t = typ.getType().toLowerCase(Locale.ROOT);
            if (t.equals("at+jwt") || t.equals("application/at+jwt")) {
                throw refused("access_token_as_identity", "an access token is not a workload identity");
            }
        }
    }

    private void verifySignature(SignedJWT jwt, TrustedIssuer issuer) {
        List<? extends Key> keys;
        try {
            keys = new JWSVerificationKeySelector<SecurityContext>(jwt.getHeader().getAlgorithm(), issuer.keys())
                    .selectJWSKeys(jwt.getHeader(), null);
        } catch (KeySourceException | RuntimeException e) {
            // RuntimeException: Nimbus lets a NullPointerException out of a JWKS document that is JSON null.
            throw new ExchangeRefused(ExchangeError.TEMPORARILY_UNAVAILABLE, "issuer_keys_unavailable",
                    "the issuer's keys cannot be fetched right now");
        }
        if (keys.isEmpty()) {
            throw refused("key_unknown", "no key of the issuer matches the workload JWT");
        }
        for (Key key : keys) {
            try {
                JWSVerifier verifier = verifiers.createJWSVerifier(jwt.getHeader(), key);
                if (jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException | IllegalStateException e) {
                // try the next candidate key; fall through to the refusal
            }
        }
        throw refused("signature_invalid", "the workload JWT's signature does not verify");
    }

    private void checkClaims(JWTClaimsSet claims, TrustedIssuer issuer) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refused("exp_missing", "the workload JWT has no exp");
        }
        if (!exp.toInstant().isAfter(now)) {
            throw refused("token_expired", "the workload JWT has expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plus(LEEWAY))) {
            throw refused("token_not_yet_valid", "the workload JWT is not valid yet");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(LEEWAY))) {
            throw refused("iat_in_future", "the workload JWT was issued in the future");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(issuer.audience())) {
            throw refused("audience_mismatch", "the workload JWT is not addressed to this broker");
        }
        if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw refused("subject_missing", "the workload JWT has no sub");
        }
    }

    private static String sha256(String token) {
        try {
            return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ExchangeRefused refused(String reason, String description) {
        return new ExchangeRefused(ExchangeError.INVALID_REQUEST, reason, description);
    }
}
