package dev.mandate.broker;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every knob of the broker under {@code mandate.*}. The environment variables that SPEC names
 * ({@code MANDATE_ISSUER}, {@code MANDATE_DATA_DIR}, {@code MANDATE_MASTER_KEY},
 * {@code MANDATE_ADMIN_TOKEN}) are mapped onto these in {@code application.properties}.
 *
 * @param issuer     the issuer URL put in {@code iss} and the metadata; blank means
 *                   {@code http://localhost:<port>}
 * @param dataDir    where the embedded PostgreSQL, the generated master key and the generated
 *                   first admin token live
 * @param masterKey  base64 of 32 bytes that encrypts signing keys at rest; blank means the
 *                   generated key file in the data directory (embedded mode only)
 * @param adminToken the admin bearer token; blank means one is generated on first start
 * @param keys       signing key settings
 * @param jwks       JWKS endpoint settings
 * @param allowInsecureIssuers accept {@code http} and loopback/private {@code jwks_uri}s (local use and tests only)
 * @param maxTokenTtl the broker-wide cap on any token's lifetime and on scopes' max TTL
 * @param resourceServerSecretOverlap how long a rotated resource-server secret keeps working
 */
@ConfigurationProperties("mandate")
public record MandateProperties(
        @DefaultValue("") String issuer,
        @DefaultValue("./mandate-data") Path dataDir,
        @DefaultValue("") String masterKey,
        @DefaultValue("") String adminToken,
        @DefaultValue Keys keys,
        @DefaultValue Jwks jwks,
        @DefaultValue("false") boolean allowInsecureIssuers,
        @DefaultValue("3600s") Duration maxTokenTtl,
        @DefaultValue("1h") Duration resourceServerSecretOverlap,
        @DefaultValue Database database,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue Http http) {

    /**
     * @param algorithm        JWS algorithm of newly generated signing keys: ES256 (default), RS256 or
     *                         EdDSA (Ed25519, for resource servers that support it);
     *                         changing it makes the next lifecycle check start a rotation
     * @param rotationInterval how long a key signs before its successor takes over
     * @param checkInterval    how often each instance advances the lifecycle and reloads the keys
     */
    public record Keys(@DefaultValue("ES256") String algorithm, @DefaultValue("7d") Duration rotationInterval,
                       @DefaultValue("60s") Duration checkInterval) {
    }

    /** @param maxAge how long resource servers may cache the JWKS ({@code Cache-Control: max-age}) */
    public record Jwks(@DefaultValue("300s") Duration maxAge) {
    }

    /**
     * @param longStatementTimeout statement and socket timeout for the few operations that may
     *                             legitimately run long (schema migrations, audit verification);
     *                             request paths keep the pool's short limits
     */
    public record Database(@DefaultValue("10m") Duration longStatementTimeout) {
    }

    /**
     * Refusal rate limit of the OAuth endpoints, per client address: every refused request takes
     * one permit; with none left the address gets 429 + Retry-After before any parsing or
     * signature check, until permits refill. Successful requests take nothing.
     *
     * @param enabled        false turns the limit off
     * @param refusals       permits per address (the burst of refusals allowed)
     * @param period         time in which {@code refusals} permits refill
     * @param trackedClients addresses tracked at once (least recently seen are forgotten)
     */
    public record RateLimit(@DefaultValue("true") boolean enabled, @DefaultValue("30") int refusals,
                            @DefaultValue("60s") Duration period, @DefaultValue("100000") int trackedClients) {
    }

    /**
     * @param maxHeaderCount  request headers allowed (more: 400 before anything else runs)
     * @param bodyReadTimeout longest time to receive a whole request body on the OAuth and usage
     *                        endpoints (a slow upload gets 408 and the connection is closed)
     */
    public record Http(@DefaultValue("64") int maxHeaderCount, @DefaultValue("10s") Duration bodyReadTimeout) {
    }
}
