package dev.mandate.broker.tokenendpoint;

/**
 * The RFC 8693 §2.2.1 response of SPEC §4.3. {@code budget*} are null when the token has no budget.
 */
record IssuedTokenResponse(String accessToken, long expiresIn, String scope, String taskId, String jti,
                           Long budgetLimit, Long budgetRemaining, String budgetUnit) {
}
