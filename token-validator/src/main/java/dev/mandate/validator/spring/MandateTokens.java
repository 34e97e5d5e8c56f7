package dev.mandate.validator.spring;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mandate.validator.MandateToken;
import org.springframework.security.oauth2.jwt.Jwt;

/** The Mandate view of a validated {@link Jwt}: scopes, actor chain and budget for controllers. */
public final class MandateTokens {

    private MandateTokens() {
    }

    public static MandateToken from(Jwt jwt) {
        String scope = jwt.getClaimAsString("scope");
        Set<String> scopes = new LinkedHashSet<>(scope == null ? List.of() : List.of(scope.split(" ")));
        List<MandateToken.Actor> actors = new ArrayList<>();
        Object act = jwt.getClaims().get("act");
        for (int depth = 0; act instanceof Map<?, ?> map && depth < 16; depth++) {
            actors.add(new MandateToken.Actor(String.valueOf(map.get("sub")), String.valueOf(map.get("iss"))));
            act = map.get("act");
        }
        MandateToken.Budget budget = jwt.getClaims().get("budget") instanceof Map<?, ?> b && b.get("limit") instanceof Number limit
                ? new MandateToken.Budget(limit.longValue(), String.valueOf(b.get("unit"))) : null;
        String audience = jwt.getAudience() == null || jwt.getAudience().isEmpty() ? null : jwt.getAudience().get(0);
        return new MandateToken(jwt.getClaimAsString("iss"), jwt.getSubject(), audience, jwt.getClaimAsString("client_id"),
                jwt.getId(), jwt.getClaimAsString("task_id"), scopes, actors, budget, jwt.getIssuedAt(), jwt.getExpiresAt(),
                jwt.getClaims());
    }
}
