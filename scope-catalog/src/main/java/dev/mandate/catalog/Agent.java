package dev.mandate.catalog;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A registered workload (SPEC §1).
 *
 * @param issuer the exact {@code iss} of its trusted issuer
 * @param maxTtl the agent's own cap on token lifetimes; null for none
 */
public record Agent(String id, String issuerId, String issuer, String subject, ScopeSet allowedScopes,
                    Set<String> mayDelegateTo, int maxDelegationDepth, Duration maxTtl, boolean enabled) {

    public Agent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(issuerId, "issuerId");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        allowedScopes = allowedScopes == null ? ScopeSet.EMPTY : allowedScopes;
        mayDelegateTo = mayDelegateTo == null ? Set.of() : Set.copyOf(mayDelegateTo);
        if (maxDelegationDepth < 0 || maxDelegationDepth > 16) {
            throw new IllegalArgumentException("max delegation depth must be 0..16");
        }
    }

    public boolean mayDelegateTo(String agentId) {
        return mayDelegateTo.contains(agentId);
    }
}
