package dev.mandate.broker.tokenendpoint;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * An RFC 8693 request as it reached the token endpoint: the authenticated client and the form
 * parameters (already shaped by {@code FormRequestFilter}), plus the caller's address for audit.
 */
final class TokenExchangeRequest extends AbstractAuthenticationToken {

    private final Authentication client;
    private final Map<String, List<String>> form;
    private final String clientAddress;

    TokenExchangeRequest(Authentication client, Map<String, String[]> parameters, String clientAddress) {
        super(List.of());
        this.client = client;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        parameters.forEach((k, v) -> copy.put(k, List.copyOf(Arrays.asList(v))));
        this.form = Map.copyOf(copy);
        this.clientAddress = clientAddress;
    }

    Authentication client() {
        return client;
    }

    Map<String, List<String>> form() {
        return form;
    }

    String first(String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    String clientAddress() {
        return clientAddress;
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
        return "TokenExchangeRequest";   // never the tokens
    }
}
