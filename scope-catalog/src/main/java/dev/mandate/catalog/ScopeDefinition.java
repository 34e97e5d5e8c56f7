package dev.mandate.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * One permission at one resource server, with the lifetimes and budget it allows (SPEC §1).
 *
 * @param maxBudget the largest budget a token with this scope may carry; null for no cap
 */
public record ScopeDefinition(ScopeName name, String resourceServerId, Duration defaultTtl, Duration maxTtl,
                              Long maxBudget, boolean delegable) {

    public ScopeDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(resourceServerId, "resourceServerId");
        Objects.requireNonNull(defaultTtl, "defaultTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        if (defaultTtl.isNegative() || defaultTtl.isZero() || defaultTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("0 < default TTL <= max TTL");
        }
        if (maxBudget != null && maxBudget <= 0) {
            throw new IllegalArgumentException("max budget must be positive");
        }
    }
}
