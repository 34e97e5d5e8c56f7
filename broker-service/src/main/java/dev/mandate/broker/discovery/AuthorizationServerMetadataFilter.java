package dev.mandate.broker.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code GET /.well-known/oauth-authorization-server} (RFC 8414). Written by the broker rather
 * than Spring's endpoint because Spring's metadata always advertises an authorization endpoint and
 * response types, and Mandate has neither: it only exchanges tokens (RFC 8414 §2 lets a server that
 * uses no authorization endpoint omit it).
 */
public final class AuthorizationServerMetadataFilter extends OncePerRequestFilter {

    public static final String PATH = "/.well-known/oauth-authorization-server";
    public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt";
    public static final String TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";

    private final IssuerUrl issuer;
    private final Duration maxAge;
    private volatile byte[] body;

    public AuthorizationServerMetadataFilter(IssuerUrl issuer, Duration maxAge) {
        this.issuer = issuer;
        this.maxAge = maxAge;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATH.equals(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        byte[] json = body();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "public, max-age=" + maxAge.toSeconds());
        response.setContentLength(json.length);
        if ("GET".equals(request.getMethod())) {
            response.getOutputStream().write(json);
        }
    }

    private byte[] body() {
        byte[] json = body;
        if (json == null) {
            json = JSONObjectUtils.toJSONString(metadata()).getBytes(StandardCharsets.UTF_8);
            body = json;
        }
        return json;
    }

    Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", issuer.get());
        m.put("token_endpoint", issuer.endpoint("/oauth2/token"));
        m.put("jwks_uri", issuer.endpoint("/oauth2/jwks"));
        m.put("introspection_endpoint", issuer.endpoint("/oauth2/introspect"));
        m.put("revocation_endpoint", issuer.endpoint("/oauth2/revoke"));
        m.put("grant_types_supported", List.of(TOKEN_EXCHANGE));
        m.put("response_types_supported", List.of());
        // Agents authenticate with a workload-identity JWT as client assertion (RFC 7523), or,
        // without client authentication, through the subject/actor token itself (SPEC §2).
        m.put("token_endpoint_auth_methods_supported", List.of("private_key_jwt"));
        m.put("token_endpoint_auth_signing_alg_values_supported", List.of("ES256", "RS256"));
        m.put("revocation_endpoint_auth_methods_supported", List.of("private_key_jwt"));
        m.put("introspection_endpoint_auth_methods_supported", List.of("client_secret_basic"));
        m.put("client_assertion_types_supported", List.of(
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe"));
        // RFC 8693 token types this broker accepts and issues.
        m.put("subject_token_types_supported", List.of(TOKEN_TYPE_JWT, TOKEN_TYPE_ACCESS_TOKEN));
        m.put("actor_token_types_supported", List.of(TOKEN_TYPE_JWT));
        m.put("issued_token_types_supported", List.of(TOKEN_TYPE_ACCESS_TOKEN));
        m.put("usage_endpoint", issuer.endpoint("/v1/usage"));
        return m;
    }
}
