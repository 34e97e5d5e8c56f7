package dev.mandate.broker.tokenendpoint;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;

import dev.mandate.broker.oauth.OAuthRefusal;
import dev.mandate.broker.security.AuthenticatedAgent;
import dev.mandate.exchange.ExchangeRefused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.TransactionException;

/**
 * Replaces Spring's token-exchange provider (which accepts only tokens it stored itself and checks
 * neither audience nor scopes against the catalog) with the {@code token-exchange} library's rules.
 * Maps library refusals and database failures to {@link OAuthRefusal}.
 */
final class TokenExchangeProvider implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(TokenExchangeProvider.class);

    private final TokenExchangeService service;

    TokenExchangeProvider(TokenExchangeService service) {
        this.service = service;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        TokenExchangeRequest request = (TokenExchangeRequest) authentication;
        if (!(request.client() instanceof AuthenticatedAgent agent)) {
            throw OAuthRefusal.of("invalid_client", "client_not_agent", "token exchange is for agents");
        }
        try {
            IssuedTokenResponse response = service.exchange(agent, request);
            Instant now = Instant.now();
            return new IssuedTokenAuthentication(agent.getRegisteredClient(), agent, response, now,
                    now.plusSeconds(Math.max(1, response.expiresIn())),
                    new LinkedHashSet<>(List.of(response.scope().split(" "))));
        } catch (ExchangeRefused refused) {
            throw new OAuthRefusal(refused.error().code(), refused.reasonCode(), refused.description(), agent.agentId());
        } catch (DataAccessException | TransactionException e) {
            log.warn("Token exchange for agent {} failed: database unavailable ({})", agent.agentId(), e.getClass().getSimpleName());
            throw new OAuthRefusal("temporarily_unavailable", "database_unavailable",
                    "the broker's database is unavailable; retry later", agent.agentId());
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return TokenExchangeRequest.class.isAssignableFrom(authentication);
    }
}
