package dev.mandate.broker.tokenendpoint;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.AuthenticationConverter;

/** The only grant this broker serves: RFC 8693 token exchange. Anything else is unsupported_grant_type. */
final class TokenExchangeRequestConverter implements AuthenticationConverter {

    static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

    @Override
    public Authentication convert(HttpServletRequest request) {
        if (!GRANT.equals(request.getParameter("grant_type"))) {
            return null;
        }
        Authentication client = SecurityContextHolder.getContext().getAuthentication();
        return new TokenExchangeRequest(client, request.getParameterMap(), request.getRemoteAddr());
    }
}
