package dev.mandate.exchange;

import java.time.Instant;
import java.util.Objects;

import dev.mandate.catalog.ScopeSet;

/**
 * A token this broker issued, presented as {@code subject_token} of a delegated exchange, with the
 * state of its chain as the broker knows it.
 *
 * @param subject      the root agent's workload subject ({@code sub}), unchanged down the tree
 * @param rootAgentId  the agent that started the task
 * @param holderAgentId the agent this token was issued to ({@code client_id}): the current actor
 * @param actor        the {@code act} chain, null on a root token
 * @param chainRevoked it or any ancestor is revoked
 * @param budget       its budget account, null when it has none
 */
public record ParentToken(String jti, String taskId, String subject, String rootAgentId, String holderAgentId,
                          Actor actor, String audience, String resourceServerId, ScopeSet scope, Instant expiresAt,
                          boolean chainRevoked, int depth, Budget budget) {

    public ParentToken {
        Objects.requireNonNull(jti);
        Objects.requireNonNull(taskId);
        Objects.requireNonNull(subject);
        Objects.requireNonNull(rootAgentId);
        Objects.requireNonNull(holderAgentId);
        Objects.requireNonNull(audience);
        Objects.requireNonNull(resourceServerId);
        Objects.requireNonNull(scope);
        Objects.requireNonNull(expiresAt);
    }

    public record Budget(long accountId, long limit, long remaining, String unit) {
    }
}
