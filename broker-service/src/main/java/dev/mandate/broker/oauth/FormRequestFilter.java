package dev.mandate.broker.oauth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;

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
 * The body is parsed here once, and later stages read the parsed parameters.
 */
public final class FormRequestFilter extends OncePerRequestFilter {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FormRequestFilter.class);

    private static final Set<String> PATHS = Set.of("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke");
    private static final Set<String> MAY_REPEAT = Set.of("audience", "resource");

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATHS.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        EndpointMetrics.markStart(request);
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            OAuthErrors.write(response, 405, "invalid_request", "only POST is allowed here");
            return;
        }
        if (request.getQueryString() != null && !request.getQueryString().isEmpty()) {
            OAuthErrors.write(response, "invalid_request", "parameters must be sent in the form body, not in the query string");
            return;
        }
        String contentType = request.getContentType();
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).split(";")[0].trim()
                .equals("application/x-www-form-urlencoded")) {
            OAuthErrors.write(response, "invalid_request", "the body must be application/x-www-form-urlencoded");
            return;
        }
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            OAuthErrors.write(response, 413, "invalid_request", "the body is larger than 64 KiB");
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            OAuthErrors.write(response, 413, "invalid_request", "the body is larger than 64 KiB");
            return;
        }
        Map<String, List<String>> form;
        try {
            form = parse(new String(body, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            OAuthErrors.write(response, "invalid_request", "the form body is not valid application/x-www-form-urlencoded");
            return;
        }
        for (var entry : form.entrySet()) {
            if (entry.getValue().size() > 1 && !MAY_REPEAT.contains(entry.getKey())) {
                OAuthErrors.write(response, "invalid_request", "parameter '" + safeName(entry.getKey()) + "' must not repeat");
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

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        return in.readNBytes(limit);
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
