package dev.mandate.broker.introspection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.broker.oauth.EndpointMetrics;
import dev.mandate.broker.oauth.OAuthFailureHandler;
import dev.mandate.broker.oauth.OAuthRefusal;
import dev.mandate.broker.security.AuthenticatedResourceServer;
import dev.mandate.broker.tokens.IssuedTokenStore;
import dev.mandate.broker.tokens.StoredToken;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenIntrospectionEndpointConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * RFC 7662 introspection for resource servers (SPEC §5): an active token whose {@code aud} is the
 * calling resource server yields its claims, {@code "active":true} and the live budget; anything
 * else yields exactly {@code {"active":false}}. The token is found by its SHA-256, so a token that
 * matches is ours and its claims are read from it without another signature check.
 */
public final class Introspection implements Customizer<OAuth2TokenIntrospectionEndpointConfigurer> {

    private static final Map<String, Object> INACTIVE = Map.of("active", false);

    private final IssuedTokenStore store;
    private final Clock clock;
    private final EndpointMetrics metrics;
    private final OAuthFailureHandler failureHandler;

    public Introspection(IssuedTokenStore store, Clock clock, EndpointMetrics metrics, OAuthFailureHandler failureHandler) {
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
        this.failureHandler = failureHandler;
    }

    @Override
    public void customize(OAuth2TokenIntrospectionEndpointConfigurer endpoint) {
        endpoint.introspectionRequestConverters(converters -> {
                    converters.clear();
                    converters.add(request -> {
                        String token = request.getParameter("token");
                        if (token == null || token.isEmpty()) {
                            throw OAuthRefusal.of("invalid_request", "token_missing", "the token parameter is required");
                        }
                        return new IntrospectionRequest(token, SecurityContextHolder.getContext().getAuthentication(), null);
                    });
                })
                .authenticationProviders(providers -> {
                    providers.clear();
                    providers.add(new Provider());
                })
                .introspectionResponseHandler((request, response, authentication) -> {
                    write(response, ((IntrospectionRequest) authentication).answer());
                    metrics.succeeded(request);
                })
                .errorResponseHandler(failureHandler);
    }

    private final class Provider implements AuthenticationProvider {

        @Override
        public Authentication authenticate(Authentication authentication) {
            IntrospectionRequest request = (IntrospectionRequest) authentication;
            if (!(request.client() instanceof AuthenticatedResourceServer server)) {
                throw OAuthRefusal.of("invalid_client", "client_not_resource_server", "introspection is for resource servers");
            }
            try {
                return new IntrospectionRequest(request.token(), server, answer(request.token(), server));
            } catch (DataAccessException e) {
                throw OAuthRefusal.of("temporarily_unavailable", "database_unavailable",
                        "the broker's database is unavailable; retry later");
            }
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return IntrospectionRequest.class.isAssignableFrom(authentication);
        }
    }

    Map<String, Object> answer(String token, AuthenticatedResourceServer server) {
        if (token.length() > 16 * 1024) {
            return INACTIVE;
        }
        StoredToken stored = store.findByHash(IssuedTokenStore.sha256(token)).orElse(null);
        if (stored == null || !stored.activeAt(clock.instant()) || !stored.audience().equals(server.audience())) {
            return INACTIVE;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("active", true);
        try {
            answer.putAll(SignedJWT.parse(token).getPayload().toJSONObject());
        } catch (java.text.ParseException e) {
            return INACTIVE;
        }
        answer.put("active", true);
        answer.put("token_type", "Bearer");
        if (stored.budgetAccountId() != null) {
            Map<String, Object> budget = new LinkedHashMap<>();
            budget.put("limit", stored.budgetLimit());
            budget.put("remaining", stored.budgetRemaining());
            budget.put("unit", stored.budgetUnit());
            answer.put("budget", budget);
        }
        return answer;
    }

    private static void write(HttpServletResponse response, Map<String, Object> body) throws IOException {
        byte[] json = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

}
