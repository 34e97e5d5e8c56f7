package dev.mandate.broker.tokenendpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.oauth.EndpointMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;

/** Writes SPEC §4.3 exactly, with {@code Cache-Control: no-store} (RFC 6749 §5.1). */
final class TokenResponseWriter implements AuthenticationSuccessHandler {

    static final String ISSUED_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private final EndpointMetrics metrics;

    TokenResponseWriter(EndpointMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
                                        Authentication authentication) throws IOException {
        IssuedTokenResponse issued = ((IssuedTokenAuthentication) authentication).response();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.accessToken());
        body.put("issued_token_type", ISSUED_TOKEN_TYPE);
        body.put("token_type", "Bearer");
        body.put("expires_in", issued.expiresIn());
        body.put("scope", issued.scope());
        body.put("task_id", issued.taskId());
        if (issued.budgetLimit() != null) {
            Map<String, Object> budget = new LinkedHashMap<>();
            budget.put("limit", issued.budgetLimit());
            budget.put("remaining", issued.budgetRemaining());
            budget.put("unit", issued.budgetUnit());
            body.put("budget", budget);
        }
        byte[] json = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
        metrics.succeeded(request);
    }
}
