package dev.mandate.broker.oauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The one place where {@code /oauth2/*} refusals become HTTP: RFC 6749 §5.2 JSON with
 * {@code error} and {@code error_description} (never token contents), the status that goes with
 * the code, {@code Cache-Control: no-store}, and {@code Retry-After} for
 * {@code temporarily_unavailable}.
 */
public final class OAuthErrors {

    public static final String RETRY_AFTER_SECONDS = "2";

    private OAuthErrors() {
    }

    public static int status(String error) {
        return switch (error) {
            case "invalid_client" -> 401;
            case "temporarily_unavailable" -> 503;
            case "server_error" -> 500;
            case "method_not_allowed" -> 405;
            case "payload_too_large" -> 413;
            default -> 400;
        };
    }

    public static void write(HttpServletResponse response, String error, String description) throws IOException {
        write(response, status(error), error, description);
    }

    public static void write(HttpServletResponse response, int status, String error, String description)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        if (description != null && !description.isBlank()) {
            body.put("error_description", description);
        }
        byte[] json = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        if (status == 503) {
            response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_client\"");
        }
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
        response.flushBuffer();
    }
}
