package dev.mandate.broker.oauth;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Outcome counters and latency histograms of the OAuth endpoints:
 * {@code mandate_oauth_requests_total{endpoint,outcome,error,reason}} and
 * {@code mandate_oauth_request_seconds{endpoint,outcome}}.
 */
public final class EndpointMetrics {

    static final String STARTED_AT = EndpointMetrics.class.getName() + ".startedAt";

    private final MeterRegistry registry;

    public EndpointMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public static void markStart(HttpServletRequest request) {
        request.setAttribute(STARTED_AT, System.nanoTime());
    }

    public static String endpoint(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return switch (uri) {
            case "/oauth2/token" -> "token";
            case "/oauth2/introspect" -> "introspect";
            case "/oauth2/revoke" -> "revoke";
            default -> "other";
        };
    }

    /** The audit event type for a request to this endpoint. */
    public static String eventType(HttpServletRequest request) {
        return switch (endpoint(request)) {
            case "token" -> "token.exchange";
            case "introspect" -> "token.introspect";
            case "revoke" -> "token.revoke";
            default -> "oauth.request";
        };
    }

    public void succeeded(HttpServletRequest request) {
        record(request, "success", "none", "none");
    }

    public void refused(HttpServletRequest request, String error, String reason) {
        record(request, "refused", error, reason);
    }

    private void record(HttpServletRequest request, String outcome, String error, String reason) {
        String endpoint = endpoint(request);
        Counter.builder("mandate.oauth.requests").description("OAuth endpoint requests by outcome and reason")
                .tag("endpoint", endpoint).tag("outcome", outcome).tag("error", error).tag("reason", reason)
                .register(registry).increment();
        Object started = request.getAttribute(STARTED_AT);
        if (started instanceof Long nanos) {
            Timer.builder("mandate.oauth.request").description("OAuth endpoint latency")
                    .tag("endpoint", endpoint).tag("outcome", outcome)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(5))
                    .register(registry).record(Duration.ofNanos(System.nanoTime() - nanos));
        }
    }
}
