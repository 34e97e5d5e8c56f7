package dev.mandate.exchange;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;

/** Builds the RFC 9068 access token claims of SPEC §4.4 from a grant. */
public final class AccessTokenClaims {

    private AccessTokenClaims() {
    }

    public static JWTClaimsSet build(Grant grant, String brokerIssuer) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(brokerIssuer)
                .subject(grant.subject())
                .audience(grant.audience())
                .claim("client_id", grant.clientId())
                .issueTime(Date.from(grant.issuedAt()))
                .expirationTime(Date.from(grant.expiresAt()))
                .jwtID(grant.jti())
                .claim("scope", grant.scope().toString())
                .claim("task_id", grant.taskId());
        budgetClaim(grant.budget()).ifPresent(b -> claims.claim("budget", b));
        if (grant.actor() != null) {
            claims.claim("act", grant.actor().toClaim());
        }
        return claims.build();
    }

    /** {@code {"limit":..,"unit":..}} of the account the token draws on; empty without a budget. */
    public static java.util.Optional<Map<String, Object>> budgetClaim(BudgetIntent intent) {
        Map<String, Object> budget = new LinkedHashMap<>();
        // Java 17: no pattern matching in switch yet.
        if (intent instanceof BudgetIntent.Open open) {
            budget.put("limit", open.limit());
            budget.put("unit", open.unit());
        } else if (intent instanceof BudgetIntent.Carve carve) {
            budget.put("limit", carve.amount());
            budget.put("unit", carve.unit());
        } else if (intent instanceof BudgetIntent.Share share) {
            budget.put("limit", share.limit());
            budget.put("unit", share.unit());
        } else {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(budget);
    }
}
