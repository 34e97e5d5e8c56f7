package dev.mandate.broker.discovery;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Adds {@code Cache-Control: public, max-age} to {@code GET /oauth2/jwks} before Spring's JWK set
 * endpoint writes it. Resource servers cache the set this long, so a new key is published at least
 * this long before it signs (SPEC §7). Spring Security's own no-cache header is written only when
 * none is present.
 */
public final class JwksCacheControlFilter extends OncePerRequestFilter {

    public static final String PATH = "/oauth2/jwks";
    private final String cacheControl;

    public JwksCacheControlFilter(Duration maxAge) {
        this.cacheControl = "public, max-age=" + maxAge.toSeconds();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATH.equals(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Cache-Control", cacheControl);
        // Spring writes the set through a Writer; without this Tomcat labels it ISO-8859-1.
        response.setCharacterEncoding("UTF-8");
        chain.doFilter(request, response);
    }
}
