package dev.mandate.broker.security;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/** A resource server whose Basic credentials matched: the client of an introspection request. */
public final class AuthenticatedResourceServer extends OAuth2ClientAuthenticationToken {

    private final String audience;

    AuthenticatedResourceServer(String id, String audience) {
        super(RegisteredClient.withId("rs:" + id).clientId(id)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).build(),
                ClientAuthenticationMethod.CLIENT_SECRET_BASIC, null);
        this.audience = audience;
    }

    public String resourceServerId() {
        return getRegisteredClient().getClientId();
    }

    public String audience() {
        return audience;
    }
}
