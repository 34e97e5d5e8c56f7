package dev.mandate.broker.introspection;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;

/** RFC 7662 §2.1 request: the token and the authenticated resource server; after the provider, the answer. */
final class IntrospectionRequest extends AbstractAuthenticationToken {

    private final String token;
    private final Authentication client;
    private final java.util.Map<String, Object> answer;

    IntrospectionRequest(String token, Authentication client, java.util.Map<String, Object> answer) {
        super(List.of());
        this.token = token;
        this.client = client;
        this.answer = answer;
        if (answer != null) {
            setAuthenticated(true);
        }
    }

    String token() {
        return token;
    }

    Authentication client() {
        return client;
    }

    java.util.Map<String, Object> answer() {
        return answer;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return client;
    }

    @Override
    public String toString() {
        return "IntrospectionRequest";
    }
}
