package dev.mandate.broker.security;

import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.oauth.OAuthRefusal;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;

/** HTTP Basic for resource servers (SPEC §2), against {@link ResourceServerSecrets}. */
final class ResourceServerAuthenticationProvider implements AuthenticationProvider {

    private final ResourceServerSecrets secrets;

    ResourceServerAuthenticationProvider(ResourceServerSecrets secrets) {
        this.secrets = secrets;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        ResourceServerPresentation presented = (ResourceServerPresentation) authentication;
        try {
            return secrets.authenticate(presented.id(), presented.secret())
                    .map(audience -> new AuthenticatedResourceServer(presented.id(), audience))
                    .orElseThrow(() -> OAuthRefusal.of("invalid_client", "resource_server_credentials_invalid",
                            "unknown resource server or wrong secret"));
        } catch (DataAccessException e) {
            throw OAuthRefusal.of("temporarily_unavailable", "database_unavailable",
                    "the broker's database is unavailable; retry later");
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return ResourceServerPresentation.class.isAssignableFrom(authentication);
    }
}
