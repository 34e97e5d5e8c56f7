package dev.mandate.broker.tokenendpoint;

import dev.mandate.broker.oauth.OAuthFailureHandler;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenEndpointConfigurer;

/**
 * Installs Mandate's token exchange into Spring's token endpoint: our converter and provider
 * only (Spring's built-in providers, including its token-exchange one, are removed, so
 * {@code ProviderManager} never runs them after ours), our §4.3 response and our error writer.
 */
public final class TokenEndpoint implements Customizer<OAuth2TokenEndpointConfigurer> {

    private final TokenExchangeProvider provider;
    private final TokenResponseWriter responseWriter;
    private final OAuthFailureHandler failureHandler;

    TokenEndpoint(TokenExchangeProvider provider, TokenResponseWriter responseWriter, OAuthFailureHandler failureHandler) {
        this.provider = provider;
        this.responseWriter = responseWriter;
        this.failureHandler = failureHandler;
    }

    @Override
    public void customize(OAuth2TokenEndpointConfigurer endpoint) {
        endpoint.accessTokenRequestConverters(converters -> {
                    converters.clear();
                    converters.add(new TokenExchangeRequestConverter());
                })
                .authenticationProviders(providers -> {
                    providers.clear();
                    providers.add(provider);
                })
                .accessTokenResponseHandler(responseWriter)
                .errorResponseHandler(failureHandler);
    }
}
