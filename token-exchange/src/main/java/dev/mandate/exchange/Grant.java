package dev.mandate.exchange;

import java.time.Instant;
import java.util.Objects;

import dev.mandate.catalog.ScopeSet;

/**
 * The decision of an exchange: everything needed to build, sign and record the token.
 *
 * @param clamped true when the lifetime was cut short by the parent's {@code exp} or a cap below the request
 */
public record Grant(String jti, String taskId, String subject, String clientId, Actor actor, String audience,
                    String resourceServerId, ScopeSet scope, Instant issuedAt, Instant expiresAt, BudgetIntent budget,
                    String parentJti, int depth, String task, boolean clamped) {

    public Grant {
        Objects.requireNonNull(jti);
        Objects.requireNonNull(taskId);
        Objects.requireNonNull(subject);
        Objects.requireNonNull(clientId);
        Objects.requireNonNull(audience);
        Objects.requireNonNull(resourceServerId);
        Objects.requireNonNull(scope);
        Objects.requireNonNull(issuedAt);
        Objects.requireNonNull(expiresAt);
        Objects.requireNonNull(budget);
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("a grant must expire after it is issued");
        }
        if ((parentJti == null) != (depth == 0) || (actor == null) != (depth == 0)) {
            throw new IllegalArgumentException("a root grant has no parent and no actor; a child has both");
        }
    }

    public long expiresInSeconds() {
        return expiresAt.getEpochSecond() - issuedAt.getEpochSecond();
    }
}
