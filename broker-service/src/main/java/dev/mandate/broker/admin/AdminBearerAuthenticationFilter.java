package dev.mandate.broker.admin;

import java.io.IOException;
import java.util.List;

import dev.mandate.broker.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** {@code Authorization: Bearer <admin token>} on {@code /admin/v1/**}; anything else is a 401 problem. */
public final class AdminBearerAuthenticationFilter extends OncePerRequestFilter {

    private final AdminTokens tokens;

    public AdminBearerAuthenticationFilter(AdminTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refuse(response, "missing admin bearer token");
            return;
        }
        boolean valid;
        try {
            valid = tokens.isValid(header.substring(7).trim());
        } catch (DataAccessException e) {
            response.setHeader("Retry-After", "1");
            Problems.write(response, 503, "database-unavailable", "Service Unavailable",
                    "the database is unreachable; retry shortly");
            return;
        }
        if (!valid) {
            refuse(response, "the admin bearer token is not valid");
            return;
        }
        if (request.getContentLengthLong() > 64 * 1024) {
            Problems.write(response, 413, "payload-too-large", "Payload Too Large", "admin request bodies are limited to 64 KiB");
            return;
        }
        var authentication = UsernamePasswordAuthenticationToken.authenticated("admin", null,
                List.of(new SimpleGrantedAuthority("ROLE_ADMIN")));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static void refuse(HttpServletResponse response, String detail) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"mandate-admin\"");
        Problems.write(response, 401, "unauthorized", "Unauthorized", detail);
    }
}
