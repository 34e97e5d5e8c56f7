package dev.mandate.broker.tokenendpoint;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/** What Spring's token endpoint filter hands to {@link TokenResponseWriter}: the issued token and our response. */
final class IssuedTokenAuthentication extends OAuth2AccessTokenAuthenticationToken {

    private final IssuedTokenResponse response;

    IssuedTokenAuthentication(RegisteredClient client, Authentication clientPrincipal, IssuedTokenResponse response,
                              Instant issuedAt, Instant expiresAt, Set<String> scopes) {
        super(client, clientPrincipal, new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, response.accessToken(),
                issuedAt, expiresAt, scopes), null, Map.of());
        this.response = response;
    }

    IssuedTokenResponse response() {
        return response;
    }
}
