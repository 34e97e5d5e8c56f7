package dev.mandate.broker.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.mandate.broker.oauth.OAuthRefusal;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Finds who is calling an OAuth endpoint (SPEC §2), replacing Spring's converters: a client
 * assertion ({@code jwt-bearer} or {@code jwt-spiffe}) or HTTP Basic; on the token endpoint with no
 * client authentication, the actor token when sent, otherwise the subject token, when of type
 * {@code jwt}. Two authentication methods at once are an {@code invalid_request}.
 */
final class ClientCredentialsConverter implements AuthenticationConverter {

    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    static final String JWT_SPIFFE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";
    static final String TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt";
    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

    @Override
    public Authentication convert(HttpServletRequest request) {
        String assertionType = request.getParameter("client_assertion_type");
        String assertion = request.getParameter("client_assertion");
        String authorization = request.getHeader("Authorization");
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        boolean assertionSent = assertionType != null || assertion != null;
        boolean secretSent = request.getParameter("client_secret") != null;
        int methods = (basic ? 1 : 0) + (assertionSent ? 1 : 0) + (secretSent ? 1 : 0)
                + (authorization != null && !basic ? 1 : 0);
        if (methods > 1) {
            throw OAuthRefusal.of("invalid_request", "multiple_client_authentication",
                    "more than one client authentication method in one request");
        }
        if (secretSent || (authorization != null && !basic)) {
            throw OAuthRefusal.of("invalid_client", "unsupported_client_authentication",
                    "use a client assertion (agents) or HTTP Basic (resource servers)");
        }
        if (basic) {
            return basic(authorization);
        }
        String clientId = request.getParameter("client_id");
        if (assertionSent) {
            if (assertion == null || assertion.isEmpty() || assertionType == null) {
                throw OAuthRefusal.of("invalid_request", "client_assertion_incomplete",
                        "client_assertion and client_assertion_type must be sent together");
            }
            if (!JWT_BEARER.equals(assertionType) && !JWT_SPIFFE.equals(assertionType)) {
                throw OAuthRefusal.of("invalid_client", "client_assertion_type_unsupported",
                        "client_assertion_type must be jwt-bearer or jwt-spiffe");
            }
            return new WorkloadPresentation(assertion, WorkloadPresentation.Via.CLIENT_ASSERTION, clientId);
        }
        if ("/oauth2/token".equals(request.getRequestURI()) && TOKEN_EXCHANGE.equals(request.getParameter("grant_type"))) {
            String actorToken = request.getParameter("actor_token");
            String actorType = request.getParameter("actor_token_type");
            if (actorToken != null) {
                if (actorType == null) {
                    throw OAuthRefusal.of("invalid_request", "actor_token_type_missing",
                            "actor_token_type is required with actor_token (RFC 8693 §2.1)");
                }
                if (!TOKEN_TYPE_JWT.equals(actorType)) {
                    throw OAuthRefusal.of("invalid_request", "actor_token_type_unsupported",
                            "actor_token_type must be urn:ietf:params:oauth:token-type:jwt");
                }
                return new WorkloadPresentation(actorToken, WorkloadPresentation.Via.ACTOR_TOKEN, clientId);
            }
            if (actorType != null) {
                throw OAuthRefusal.of("invalid_request", "actor_token_missing", "actor_token_type sent without actor_token");
            }
            String subjectToken = request.getParameter("subject_token");
            if (subjectToken != null && TOKEN_TYPE_JWT.equals(request.getParameter("subject_token_type"))) {
                return new WorkloadPresentation(subjectToken, WorkloadPresentation.Via.SUBJECT_TOKEN, clientId);
            }
        }
        throw OAuthRefusal.of("invalid_client", "client_authentication_missing",
                "client authentication is required: a workload JWT as client assertion, actor_token or subject_token");
    }

    private static ResourceServerPresentation basic(String authorization) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthRefusal.of("invalid_client", "basic_malformed", "malformed HTTP Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon == decoded.length() - 1) {
            throw OAuthRefusal.of("invalid_client", "basic_malformed", "malformed HTTP Basic credentials");
        }
        try {
            // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
            String id = java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            String secret = java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
            return new ResourceServerPresentation(id, secret);
        } catch (IllegalArgumentException e) {
            throw OAuthRefusal.of("invalid_client", "basic_malformed", "malformed HTTP Basic credentials");
        }
    }
}
