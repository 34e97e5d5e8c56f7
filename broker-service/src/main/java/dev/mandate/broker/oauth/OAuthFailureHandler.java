package dev.mandate.broker.oauth;

import java.io.IOException;

import dev.mandate.broker.audit.AuditEvent;
import dev.mandate.broker.audit.AuditTrail;
import dev.mandate.broker.http.RefusalRateLimiter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.transaction.TransactionException;

/**
 * Writes every refusal of client authentication, token, introspection and revocation requests:
 * the RFC 6749 JSON error (through {@link OAuthErrors}), an audit event with the reason code, and
 * the outcome metric. If the audit trail itself cannot be written (database down), the answer is
 * still the refusal: nothing was issued, so nothing is lost.
 */
public final class OAuthFailureHandler implements AuthenticationFailureHandler {

    private static final Logger log = LoggerFactory.getLogger(OAuthFailureHandler.class);

    private final AuditTrail audit;
    private final EndpointMetrics metrics;
    private final RefusalRateLimiter limiter;

    public OAuthFailureHandler(AuditTrail audit, EndpointMetrics metrics, RefusalRateLimiter limiter) {
        this.audit = audit;
        this.metrics = metrics;
        this.limiter = limiter;
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
                                        AuthenticationException exception) throws IOException {
        String error;
        String reason;
        String description;
        String agent = null;
        if (exception instanceof OAuthRefusal refusal) {
            error = refusal.getError().getErrorCode();
            reason = refusal.reasonCode();
            description = refusal.getError().getDescription();
            agent = refusal.agentId();
        } else if (exception instanceof OAuth2AuthenticationException oauth) {
            error = oauth.getError().getErrorCode();
            reason = error;
            description = oauth.getError().getDescription();
        } else {
            error = "invalid_client";
            reason = "client_authentication_failed";
            description = "client authentication failed";
        }
        String type = EndpointMetrics.eventType(request);
        metrics.refused(request, error, reason);
        if (!"temporarily_unavailable".equals(error)) {
            limiter.refused(request.getRemoteAddr());
            try {
                audit.append(AuditEvent.refused(type, reason).agent(agent).actor(agent)
                        .clientAddress(request.getRemoteAddr()).build());
            } catch (DataAccessException | TransactionException e) {
                log.warn("Could not write the audit event for a refused {} ({}): database unavailable", type, reason);
                error = "temporarily_unavailable";
                description = "the broker's database is unavailable; retry later";
            }
        }
        OAuthErrors.write(response, error, description);
    }
}
