package dev.mandate.exchange.workload;

import java.util.Objects;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.mandate.catalog.Agent;

/** A verified workload JWT: the registered, enabled agent it names, and its issuer. */
public record WorkloadIdentity(Agent agent, TrustedIssuer issuer, JWTClaimsSet claims) {

    public WorkloadIdentity {
        Objects.requireNonNull(agent);
        Objects.requireNonNull(issuer);
        Objects.requireNonNull(claims);
    }
}
