package dev.mandate.broker.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import jakarta.servlet.http.HttpServletResponse;

/**
 * RFC 9457 problem+json written straight to a servlet response, for refusals that happen in
 * filters before Spring MVC. The {@code type} is a stable URN per error so clients can branch on it.
 */
public final class Problems {

    public static final String TYPE_PREFIX = "urn:mandate:problem:";

    private Problems() {
    }

    public static void write(HttpServletResponse response, int status, String type, String title, String detail)
            throws IOException {
        write(response, status, type, title, detail, Map.of());
    }

    /** With extension members (RFC 9457 §3.2), e.g. {@code remaining} on a 402. */
    public static void write(HttpServletResponse response, int status, String type, String title, String detail,
                             Map<String, Object> extensions) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        extensions.forEach(body::putIfAbsent);
        byte[] json = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }
}
