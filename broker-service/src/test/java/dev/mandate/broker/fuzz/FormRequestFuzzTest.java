package dev.mandate.broker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.http.RefusalRateLimiter;
import dev.mandate.broker.oauth.EndpointMetrics;
import dev.mandate.broker.oauth.FormRequestFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.ServletRequest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * Coverage-guided fuzzing of the OAuth request parser and shaping (issue 10, SECURITY.md "HTTP"):
 * method, content type, query string and body bytes from the fuzzer. Property: the request is
 * either passed on with at most 32 parameters, none of the RFC parameters repeated, every value
 * decoded, or refused with a 400/405/408/413 RFC 6749 JSON error; never an exception, never a 500.
 * Seeds: {@code src/test/resources/dev/mandate/broker/fuzz/FormRequestFuzzTestInputs/}.
 */
class FormRequestFuzzTest {

    static final FormRequestFilter FILTER = new FormRequestFilter(RefusalRateLimiter.disabled(),
            new EndpointMetrics(new SimpleMeterRegistry()), Duration.ofSeconds(10));
    static final Set<String> MAY_REPEAT = Set.of("audience", "resource");

    @FuzzTest(maxDuration = "5m")
    void oauthRequest(FuzzedDataProvider data) throws Exception {
        String method = data.pickValue(List.of("POST", "POST", "POST", "GET", "PUT"));
        String path = data.pickValue(List.of("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"));
        String contentType = data.pickValue(List.of("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8",
                "APPLICATION/X-WWW-FORM-URLENCODED", "application/json", "multipart/form-data; boundary=x", "text/plain", ""));
        String query = data.consumeBoolean() ? data.consumeString(64) : null;
        byte[] body = data.consumeRemainingAsBytes();

        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setContentType(contentType.isEmpty() ? null : contentType);
        request.setQueryString(query);
        request.setContent(body);
        request.setRemoteAddr("192.0.2.1");
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<ServletRequest> passed = new AtomicReference<>();

        FILTER.doFilter(request, response, (req, res) -> passed.set(req));

        if (passed.get() != null) {
            Map<String, String[]> parameters = passed.get().getParameterMap();
            assertThat(parameters.size()).isLessThanOrEqualTo(FormRequestFilter.MAX_PARAMETERS);
            parameters.forEach((name, values) -> {
                if (!MAY_REPEAT.contains(name)) {
                    assertThat(values).as(name).hasSize(1);
                }
            });
            assertThat(method).isEqualTo("POST");
            assertThat(body.length).isLessThanOrEqualTo(FormRequestFilter.MAX_BODY_BYTES);
        } else {
            assertThat(response.getStatus()).isIn(400, 405, 408, 413);
            Map<String, Object> error = JSONObjectUtils.parse(response.getContentAsString());
            assertThat(error.get("error")).isInstanceOf(String.class);
            assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        }
    }
}
