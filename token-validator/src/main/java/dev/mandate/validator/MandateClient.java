package dev.mandate.validator;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * The online calls of a resource server, with its id and secret (HTTP Basic): RFC 7662
 * introspection for revocation-sensitive calls, and budget charges (SPEC §6). JDK HTTP client with
 * timeouts; no other HTTP stack.
 */
public final class MandateClient {

    private final String issuer;
    private final String authorization;
    private final HttpClient http;
    private final Duration timeout;

    public MandateClient(String issuer, String resourceServerId, String secret) {
        this(issuer, resourceServerId, secret, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(), Duration.ofSeconds(3));
    }

    public MandateClient(String issuer, String resourceServerId, String secret, HttpClient http, Duration timeout) {
        this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (URLEncoder.encode(resourceServerId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
        this.http = http;
        this.timeout = timeout;
    }

    /** The token's live state: {@code active} false for anything revoked, expired, foreign or unknown. */
    public record Introspection(boolean active, Map<String, Object> claims, Long remaining) {
    }

    /** The outcome of a charge. */
    public sealed interface Charge {
        /** Charged (or an idempotent replay of an earlier charge); remaining is null without a budget. */
        record Charged(long charged, Long remaining, Long limit, String unit, boolean replayed) implements Charge { }
        /** 402: more than remains; nothing was charged. */
        record BudgetExceeded(long remaining) implements Charge { }
        /** 403: the token is not for this resource server. */
        record WrongAudience() implements Charge { }
        /** 409: the token is expired, revoked or unknown. */
        record Inactive() implements Charge { }
        /** Anything else (503 when the broker's database is down, with Retry-After). */
        record Failed(int status, String detail) implements Charge { }
    }

    public Introspection introspect(String token) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(issuer + "/oauth2/introspect")).timeout(timeout)
                .header("Authorization", authorization).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("introspection answered HTTP " + response.statusCode());
        }
        Map<String, Object> body = parse(response.body());
        boolean active = Boolean.TRUE.equals(body.get("active"));
        Long remaining = body.get("budget") instanceof Map<?, ?> budget && budget.get("remaining") instanceof Number n ? n.longValue() : null;
        return new Introspection(active, active ? body : Map.of(), remaining);
    }

    public Charge charge(String token, long amount, String idempotencyKey) throws IOException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("token", token);
        request.put("amount", amount);
        request.put("idempotency_key", idempotencyKey);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(issuer + "/v1/usage")).timeout(timeout)
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSONObjectUtils.toJSONString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> body = parse(response.body());
        return switch (response.statusCode()) {
            case 200 -> new Charge.Charged(((Number) body.get("charged")).longValue(), number(body.get("remaining")),
                    number(body.get("limit")), (String) body.get("unit"), Boolean.TRUE.equals(body.get("replayed")));
            case 402 -> new Charge.BudgetExceeded(((Number) body.get("remaining")).longValue());
            case 403 -> new Charge.WrongAudience();
            case 409 -> new Charge.Inactive();
            default -> new Charge.Failed(response.statusCode(), String.valueOf(body.get("detail")));
        };
    }

    private static Long number(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    private static Map<String, Object> parse(String json) throws IOException {
        try {
            return JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            throw new IOException("the broker answered something that is not JSON");
        }
    }
}
