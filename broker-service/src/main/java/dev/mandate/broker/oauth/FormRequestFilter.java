package dev.mandate.broker.oauth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;

import dev.mandate.broker.http.BodyReader;
import dev.mandate.broker.http.RefusalRateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Shapes every request to {@code /oauth2/token}, {@code /oauth2/introspect} and
 * {@code /oauth2/revoke} before Spring's authorization server sees it (SPEC §4, SECURITY.md "HTTP"):
 * POST only; {@code application/x-www-form-urlencoded} only (no JSON, no multipart); no parameters
 * in the query string (tokens must not end up in access logs); at most 64 KiB of body; and no
 * RFC 6749/7009/7662/8693 parameter more than once, except {@code audience} and {@code resource}.
 * The body is parsed here once, and later stages read the parsed parameters. A client address
 * that used up its refusal budget ({@link RefusalRateLimiter}) gets 429 before any of this; a body
 * that arrives too slowly gets 408 and the connection is closed.
 */
public final class FormRequestFilter extends OncePerRequestFilter {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final int MAX_PARAMETERS = 32;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FormRequestFilter.class);

    private static final Set<String> PATHS = Set.of("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke");
    private static final Set<String> MAY_REPEAT = Set.of("audience", "resource");

    private final RefusalRateLimiter limiter;
    private final EndpointMetrics metrics;
    private final Duration bodyReadTimeout;

    public FormRequestFilter(RefusalRateLimiter limiter, EndpointMetrics metrics, Duration bodyReadTimeout) {
        this.limiter = limiter;
        this.metrics = metrics;
        this.bodyReadTimeout = bodyReadTimeout;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATHS.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        EndpointMetrics.markStart(request);
        String client = request.getRemoteAddr();
        long retryAfter = limiter.retryAfterSeconds(client);
        if (retryAfter > 0) {
            metrics.refused(request, "slow_down", "rate_limited");
            response.setHeader("Retry-After", String.valueOf(retryAfter));
            OAuthErrors.write(response, 429, "slow_down",
                    "too many refused requests from this client; retry after " + retryAfter + " s");
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            refuse(request, response, 405, "method_not_allowed", "only POST is allowed here");
            return;
        }
        if (request.getQueryString() != null && !request.getQueryString().isEmpty()) {
            refuse(request, response, 400, "query_string", "parameters must be sent in the form body, not in the query string");
            return;
        }
        String contentType = request.getContentType();
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).split(";")[0].trim()
                .equals("application/x-www-form-urlencoded")) {
            refuse(request, response, 400, "content_type", "the body must be application/x-www-form-urlencoded");
            return;
        }
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            refuse(request, response, 413, "body_too_large", "the body is larger than 64 KiB");
            return;
        }
        byte[] body;
        try {
            body = BodyReader.read(request, MAX_BODY_BYTES, bodyReadTimeout);
        } catch (BodyReader.SlowBody e) {
            response.setHeader("Connection", "close");
            refuse(request, response, 408, "slow_body", e.getMessage());
            return;
        }
        if (body.length > MAX_BODY_BYTES) {
            refuse(request, response, 413, "body_too_large", "the body is larger than 64 KiB");
            return;
        }
        Map<String, List<String>> form;
        try {
            form = parse(new String(body, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            refuse(request, response, 400, "malformed_form", "the form body is not valid application/x-www-form-urlencoded");
            return;
        }
        if (form.size() > MAX_PARAMETERS) {
            refuse(request, response, 400, "too_many_parameters", "the form has more than " + MAX_PARAMETERS + " parameters");
            return;
        }
        for (var entry : form.entrySet()) {
            if (entry.getValue().size() > 1 && !MAY_REPEAT.contains(entry.getKey())) {
                refuse(request, response, 400, "repeated_parameter", "parameter '" + safeName(entry.getKey()) + "' must not repeat");
                return;
            }
        }
        try {
            chain.doFilter(new ParsedFormRequest(request, form, body), response);
        } catch (RuntimeException | ServletException e) {
            // The safety net: nothing a client sends may produce a stack trace or an HTML error page.
            Throwable cause = e instanceof ServletException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof org.springframework.dao.DataAccessException
                    || cause instanceof org.springframework.transaction.TransactionException) {
                log.warn("{} failed: database unavailable ({})", request.getRequestURI(), cause.getClass().getSimpleName());
                OAuthErrors.write(response, "temporarily_unavailable", "the broker's database is unavailable; retry later");
            } else {
                log.error("{} failed unexpectedly", request.getRequestURI(), cause);
                OAuthErrors.write(response, "server_error", "the broker failed to process the request");
            }
        }
    }

    /** A refusal before Spring Security: counted against the client's refusal budget and in the metrics. */
    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String reason, String description)
            throws IOException {
        limiter.refused(request.getRemoteAddr());
        metrics.refused(request, "invalid_request", reason);
        OAuthErrors.write(response, status, "invalid_request", description);
    }

    static Map<String, List<String>> parse(String body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        return form;
    }

    private static String safeName(String name) {
        return name.length() <= 40 && name.matches("[A-Za-z0-9_.-]*") ? name : "(unprintable)";
    }

    /** The request as later stages see it: parameters from the parsed body only, body replayable. */
    static final class ParsedFormRequest extends HttpServletRequestWrapper {

        private final Map<String, String[]> parameters;
        private final byte[] body;

        ParsedFormRequest(HttpServletRequest request, Map<String, List<String>> form, byte[] body) {
            super(request);
            Map<String, String[]> map = new LinkedHashMap<>();
            form.forEach((k, v) -> map.put(k, v.toArray(String[]::new)));
            this.parameters = Collections.unmodifiableMap(map);
            this.body = body;
        }

        @Override
        public String getParameter(String name) {
            String[] values = parameters.get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return parameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(parameters.keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            String[] values = parameters.get(name);
            return values == null ? null : values.clone();
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }
    }
}
