package dev.mandate.exchange.workload;

import java.util.Objects;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * A workload-identity provider the broker trusts (SPEC §1): its exact {@code iss}, the audience its
 * JWTs must carry, the algorithms it may use and its keys (never taken from the token).
 */
public record TrustedIssuer(String id, String issuer, String audience, Set<JWSAlgorithm> algorithms,
                            JWKSource<SecurityContext> keys) {

    public TrustedIssuer {
        Objects.requireNonNull(id);
        Objects.requireNonNull(issuer);
        Objects.requireNonNull(audience);
        Objects.requireNonNull(keys);
        algorithms = Set.copyOf(algorithms);
    }
}
