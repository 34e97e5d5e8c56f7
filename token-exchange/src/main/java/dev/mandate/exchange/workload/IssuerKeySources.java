package dev.mandate.exchange.workload;

import java.net.URL;
import java.text.ParseException;
import java.time.Duration;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;

/** Builds an issuer's key source with Nimbus: an inline set, or a cached, rate-limited remote JWKS. */
public final class IssuerKeySources {

    /** Limits for fetching a remote JWKS. */
    public record RemoteLimits(Duration connectTimeout, Duration readTimeout, int sizeLimitBytes, Duration cacheTtl,
                               Duration refreshTimeout, Duration minRefreshInterval) {

        public static final RemoteLimits DEFAULT = new RemoteLimits(Duration.ofSeconds(2), Duration.ofSeconds(2),
                256 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private IssuerKeySources() {
    }

    /** An inline public JWK set; private members are refused. */
    public static JWKSource<SecurityContext> inline(String jwksJson) {
        JWKSet set;
        try {
            set = JWKSet.parse(jwksJson);
        } catch (ParseException | RuntimeException e) {   // Nimbus 10.9: NPE for JSON null (found by WorkloadJwtFuzzTest)
            throw new IllegalArgumentException("not a JWK set");
        }
        if (set.getKeys().stream().anyMatch(JWK::isPrivate)) {
            throw new IllegalArgumentException("an inline JWK set must hold public keys only");
        }
        return new ImmutableJWKSet<>(set);
    }

    /**
     * A remote JWKS: cached for {@code cacheTtl}, refetched on an unknown {@code kid} at most once per
     * {@code minRefreshInterval}, with connect/read timeouts and a size limit; the cached set keeps
     * serving during an outage.
     */
    public static JWKSource<SecurityContext> remote(URL jwksUri, RemoteLimits limits) {
        DefaultResourceRetriever retriever = new DefaultResourceRetriever((int) limits.connectTimeout().toMillis(),
                (int) limits.readTimeout().toMillis(), limits.sizeLimitBytes());
        return JWKSourceBuilder.<SecurityContext>create(jwksUri, retriever)
                .cache(limits.cacheTtl().toMillis(), limits.refreshTimeout().toMillis())
                .rateLimited(limits.minRefreshInterval().toMillis())
                .outageTolerant(Duration.ofHours(1).toMillis())
                .retrying(false)
                .build();
    }
}
