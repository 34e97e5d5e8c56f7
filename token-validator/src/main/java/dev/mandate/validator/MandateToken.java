package dev.mandate.validator;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated Mandate access token (SPEC §4.4), immutable.
 *
 * @param subject  the workload subject of the agent that started the task
 * @param clientId the agent that holds this token
 * @param actors   the delegation chain, current actor first (empty for a root token)
 * @param budget   the budget the token draws on, or null
 */
public record MandateToken(String issuer, String subject, String audience, String clientId, String jti, String taskId,
                           Set<String> scopes, List<Actor> actors, Budget budget, Instant issuedAt, Instant expiresAt,
                           Map<String, Object> claims) {

    public MandateToken {
        scopes = Set.copyOf(scopes);
        actors = List.copyOf(actors);
        claims = Map.copyOf(claims);
    }

    /** One hop of the {@code act} chain. */
    public record Actor(String subject, String issuer) {
    }

    public record Budget(long limit, String unit) {
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** The depth of delegation: 0 for a root token. */
    public int depth() {
        return actors.size();
    }
}
