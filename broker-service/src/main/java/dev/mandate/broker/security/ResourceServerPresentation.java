package dev.mandate.broker.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/** HTTP Basic credentials of a resource server (SPEC §2), not yet checked. */
public final class ResourceServerPresentation extends AbstractAuthenticationToken {

    private final String id;
    private final String secret;

    ResourceServerPresentation(String id, String secret) {
        super(List.of());
        this.id = id;
        this.secret = secret;
        setAuthenticated(false);
    }

    String id() {
        return id;
    }

    String secret() {
        return secret;
    }

    @Override
    public Object getCredentials() {
        return secret;
    }

    @Override
    public Object getPrincipal() {
        return id;
    }

    @Override
    public String toString() {
        return "ResourceServerPresentation[" + id + "]";
    }
}
