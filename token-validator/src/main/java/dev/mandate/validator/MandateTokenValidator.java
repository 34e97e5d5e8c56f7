package dev.mandate.validator;

import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;

/**
 * Offline validation of Mandate access tokens for resource servers (RFC 9068): {@code typ at+jwt},
 * an allowed asymmetric algorithm, a key from the broker's JWKS (never from the token), the exact
 * issuer, this server's audience, and {@code exp}/{@code nbf} with a small leeway. Thread-safe.
 *
 * <pre>{@code
 * MandateTokenValidator validator = MandateTokenValidator.builder("https://mandate.example", "https://orders.example.com").build();
 * MandateToken token = validator.validate(bearer);   // throws InvalidTokenException with a Reason
 * }</pre>
 */
public final class MandateTokenValidator {

    private final String issuer;
    private final String audience;
    private final Set<JWSAlgorithm> algorithms;
    private final Duration leeway;
    private final Clock clock;
    private final JwksCache keys;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    private MandateTokenValidator(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.algorithms = Set.copyOf(b.algorithms);
        this.leeway = b.leeway;
        this.clock = b.clock;
        this.keys = new JwksCache(b.issuer, b.http, b.clock, b.defaultMaxAge, b.minRefreshInterval, b.timeout);
    }

    public static Builder builder(String issuer, String audience) {
        return new Builder(issuer, audience);
    }

    public MandateToken validate(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty() || token.length() > 16 * 1024) {
            throw invalid(InvalidTokenException.Reason.MALFORMED, "no token or a token larger than 16 KiB");
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {   // Nimbus 10.9: NPE for a JSON-null header
            throw invalid(InvalidTokenException.Reason.MALFORMED, "not a JWT");
        }
        if (!(parsed instanceof SignedJWT jwt)) {
            throw invalid(InvalidTokenException.Reason.ALGORITHM_NOT_ALLOWED, "unsigned or encrypted tokens are refused");
        }
        JWSHeader header = jwt.getHeader();
        if (!algorithms.contains(header.getAlgorithm())) {
            throw invalid(InvalidTokenException.Reason.ALGORITHM_NOT_ALLOWED, "algorithm " + header.getAlgorithm() + " is not allowed");
        }
        String typ = header.getType() == null ? null : header.getType().getType();
        if (!"at+jwt".equalsIgnoreCase(typ) && !"application/at+jwt".equalsIgnoreCase(typ)) {
            throw invalid(InvalidTokenException.Reason.WRONG_TYPE, "typ must be at+jwt (RFC 9068)");
        }
        if (header.getJWKURL() != null || header.getJWK() != null || header.getX509CertURL() != null
                || header.getX509CertChain() != null || header.getCriticalParams() != null || header.getKeyID() == null) {
            throw invalid(InvalidTokenException.Reason.MALFORMED, "unexpected JOSE header parameters");
        }
        JWK jwk = keys.key(header.getKeyID())
                .orElseThrow(() -> invalid(InvalidTokenException.Reason.UNKNOWN_KEY, "no published key has this kid"));
        try {
            if (!(jwk instanceof AsymmetricJWK asymmetric) || (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(header.getAlgorithm()))) {
                throw invalid(InvalidTokenException.Reason.ALGORITHM_NOT_ALLOWED, "the key does not match the algorithm");
            }
            JWSVerifier verifier = jwk instanceof OctetKeyPair okp ? ed25519(okp) : verifiers.createJWSVerifier(header, asymmetric.toPublicKey());
            if (!jwt.verify(verifier)) {
                throw invalid(InvalidTokenException.Reason.BAD_SIGNATURE, "the signature does not verify");
            }
        } catch (JOSEException e) {
            throw invalid(InvalidTokenException.Reason.BAD_SIGNATURE, "the signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw invalid(InvalidTokenException.Reason.MALFORMED, "claims are not a JSON object");
        }
        return check(claims);
    }

    /** Ed25519 (RFC 8037) through Nimbus' verifier, which runs on Tink: only loaded when EdDSA is allowed and used. */
    private static JWSVerifier ed25519(OctetKeyPair key) throws JOSEException {
        try {
            return new com.nimbusds.jose.crypto.Ed25519Verifier(key.toPublicJWK());
        } catch (NoClassDefFoundError e) {
            throw new JOSEException("EdDSA tokens need com.google.crypto.tink:tink on the classpath");
        }
    }

    private MandateToken check(JWTClaimsSet claims) throws InvalidTokenException {
        if (!issuer.equals(claims.getIssuer())) {
            throw invalid(InvalidTokenException.Reason.WRONG_ISSUER, "the token was issued by someone else");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
            throw invalid(InvalidTokenException.Reason.WRONG_AUDIENCE, "the token is for another resource server");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null || !exp.toInstant().plus(leeway).isAfter(now)) {
            throw invalid(InvalidTokenException.Reason.EXPIRED, "the token has expired");
        }
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        if ((nbf != null && nbf.toInstant().isAfter(now.plus(leeway))) || (iat != null && iat.toInstant().isAfter(now.plus(leeway)))) {
            throw invalid(InvalidTokenException.Reason.NOT_YET_VALID, "the token is not valid yet");
        }
        try {
            String scope = claims.getStringClaim("scope");
            Set<String> scopes = new LinkedHashSet<>(scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split(" +")));
            List<MandateToken.Actor> actors = new ArrayList<>();
            Object act = claims.getClaim("act");
            for (int depth = 0; act instanceof Map<?, ?> map && depth < 16; depth++) {
                actors.add(new MandateToken.Actor(String.valueOf(map.get("sub")), String.valueOf(map.get("iss"))));
                act = map.get("act");
            }
            MandateToken.Budget budget = null;
            Map<String, Object> b = claims.getJSONObjectClaim("budget");
            if (b != null && b.get("limit") instanceof Number limit) {
                budget = new MandateToken.Budget(limit.longValue(), String.valueOf(b.get("unit")));
            }
            return new MandateToken(claims.getIssuer(), claims.getSubject(), audience, claims.getStringClaim("client_id"),
                    claims.getJWTID(), claims.getStringClaim("task_id"), scopes, actors, budget,
                    iat == null ? null : iat.toInstant(), exp.toInstant(), claims.toJSONObject());
        } catch (ParseException | ClassCastException e) {
            throw invalid(InvalidTokenException.Reason.MALFORMED, "claims of the wrong type");
        }
    }

    private static InvalidTokenException invalid(InvalidTokenException.Reason reason, String message) {
        return new InvalidTokenException(reason, message);
    }

    /** Settings; the defaults suit most resource servers. */
    public static final class Builder {
        private final String issuer;
        private final String audience;
        private Set<JWSAlgorithm> algorithms = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256);
        private Duration leeway = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private Duration defaultMaxAge = Duration.ofMinutes(5);
        private Duration minRefreshInterval = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofSeconds(3);

        private Builder(String issuer, String audience) {
            this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
            this.audience = audience;
        }

        public Builder algorithms(Set<JWSAlgorithm> value) { this.algorithms = value; return this; }
        public Builder leeway(Duration value) { this.leeway = value; return this; }
        public Builder clock(Clock value) { this.clock = value; return this; }
        public Builder httpClient(HttpClient value) { this.http = value; return this; }
        public Builder defaultJwksMaxAge(Duration value) { this.defaultMaxAge = value; return this; }
        public Builder minJwksRefreshInterval(Duration value) { this.minRefreshInterval = value; return this; }
        public Builder timeout(Duration value) { this.timeout = value; return this; }

        public MandateTokenValidator build() {
            return new MandateTokenValidator(this);
        }
    }
}
