package dev.mandate.broker.catalog;

import java.net.MalformedURLException;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.mandate.broker.discovery.IssuerUrl;
import dev.mandate.exchange.workload.IssuerKeySources;
import dev.mandate.exchange.workload.TrustedIssuer;
import dev.mandate.exchange.workload.TrustedIssuers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Trusted issuers from PostgreSQL. Each issuer's key source (with its JWKS cache) is kept in memory
 * per (id, version), so an admin change to the issuer takes effect at once and an unchanged issuer
 * keeps its cached keys.
 */
public final class JdbcTrustedIssuers implements TrustedIssuers {

    private static final Logger log = LoggerFactory.getLogger(JdbcTrustedIssuers.class);

    private final JdbcClient jdbc;
    private final IssuerUrl brokerIssuer;
    private final IssuerKeySources.RemoteLimits limits;
    private final Map<String, Cached> sources = new ConcurrentHashMap<>();

    public JdbcTrustedIssuers(JdbcClient jdbc, IssuerUrl brokerIssuer, IssuerKeySources.RemoteLimits limits) {
        this.jdbc = jdbc;
        this.brokerIssuer = brokerIssuer;
        this.limits = limits;
    }

    private record Row(String id, String issuer, String jwksUri, String jwks, String audience, String[] algorithms,
                       long version) {
    }

    private record Cached(long version, JWKSource<SecurityContext> keys) {
    }

    @Override
    public Optional<TrustedIssuer> byIssuer(String issuer) {
        if (issuer.length() > 512) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT id, issuer, jwks_uri, jwks, audience, algorithms::text[] AS algorithms, version FROM trusted_issuers WHERE issuer = ?")
                .param(issuer)
                .query((rs, n) -> new Row(rs.getString("id"), rs.getString("issuer"), rs.getString("jwks_uri"),
                        rs.getString("jwks"), rs.getString("audience"), (String[]) rs.getArray("algorithms").getArray(),
                        rs.getLong("version")))
                .optional().flatMap(this::toIssuer);
    }

    private Optional<TrustedIssuer> toIssuer(Row row) {
        JWKSource<SecurityContext> keys;
        try {
            keys = sources.compute(row.id(), (id, cached) -> cached != null && cached.version() == row.version()
                    ? cached : new Cached(row.version(), keySource(row))).keys();
        } catch (IllegalArgumentException e) {
            log.warn("Trusted issuer {} has unusable keys configured: {}", row.id(), e.getMessage());
            return Optional.empty();
        }
        Set<JWSAlgorithm> algorithms = Arrays.stream(row.algorithms()).map(JWSAlgorithm::parse).collect(Collectors.toSet());
        String audience = row.audience() == null ? brokerIssuer.get() : row.audience();
        return Optional.of(new TrustedIssuer(row.id(), row.issuer(), audience, algorithms, keys));
    }

    private JWKSource<SecurityContext> keySource(Row row) {
        if (row.jwks() != null) {
            return IssuerKeySources.inline(row.jwks());
        }
        try {
            return IssuerKeySources.remote(URI.create(row.jwksUri()).toURL(), limits);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("jwks_uri is not a URL");
        }
    }
}
