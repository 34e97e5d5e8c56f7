package dev.mandate.broker.oauth;

import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * A refusal on an {@code /oauth2/*} endpoint, carrying the RFC error code, a stable reason code
 * (written to the audit trail and metrics, and matching the description) and, when known, the
 * agent that asked. Thrown through Spring's authorization server filters, which hand it to
 * {@link OAuthFailureHandler}.
 */
public final class OAuthRefusal extends OAuth2AuthenticationException {

    private final String reasonCode;
    private final String agentId;

    public OAuthRefusal(String error, String reasonCode, String description, String agentId) {
        super(new OAuth2Error(error, description, null), description);
        this.reasonCode = reasonCode;
        this.agentId = agentId;
    }

    public static OAuthRefusal of(String error, String reasonCode, String description) {
        return new OAuthRefusal(error, reasonCode, description, null);
    }

    public String reasonCode() {
        return reasonCode;
    }

    public String agentId() {
        return agentId;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;   // a refusal is not a bug: no stack trace to capture or log
    }
}
