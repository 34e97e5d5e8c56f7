package dev.mandate.broker.tokens;

import java.time.Instant;
import java.util.List;

/**
 * What the broker keeps about an issued token (never the token itself), with the state of its
 * chain: {@code chainRevoked} is true when it or any ancestor is revoked (invariant 3).
 */
public record StoredToken(String jti, String taskId, String parentJti, int depth, String subject, String agentId,
                          String actorChainJson, String audience, String resourceServerId, List<String> scopes,
                          Instant issuedAt, Instant expiresAt, Long budgetAccountId, Long budgetLimit,
                          Long budgetRemaining, String budgetUnit, Instant revokedAt, boolean chainRevoked) {

    public StoredToken {
        scopes = List.copyOf(scopes);
    }

    public boolean activeAt(Instant now) {
        return !chainRevoked && now.isBefore(expiresAt);
    }
}
