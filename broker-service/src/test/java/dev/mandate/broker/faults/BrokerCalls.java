package dev.mandate.broker.faults;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.nimbusds.jose.util.JSONObjectUtils;

/** The four database-backed calls a fault test makes, over real HTTP to one broker port. */
final class BrokerCalls {

    static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String AT_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final int port;
    final String rsId;
    final String rsSecret;

    BrokerCalls(int port, String rsId, String rsSecret) {
        this.port = port;
        this.rsId = rsId;
        this.rsSecret = rsSecret;
    }

    HttpResponse<String> exchange(String workloadJwt, String audience, String scope, String budget) {
        Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", GRANT, "subject_token", workloadJwt,
                "subject_token_type", JWT_TYPE, "audience", audience, "scope", scope));
        if (budget != null) {
            form.put("budget", budget);
        }
        return post("/oauth2/token", form, null);
    }

    HttpResponse<String> introspect(String token) {
        return post("/oauth2/introspect", Map.of("token", token), basic());
    }

    HttpResponse<String> revoke(String token, String agentJwt) {
        return post("/oauth2/revoke", Map.of("token", token, "client_assertion_type", JWT_BEARER, "client_assertion", agentJwt), null);
    }

    HttpResponse<String> charge(String token, long amount, String key) {
        String body = "{\"token\":\"" + token + "\",\"amount\":" + amount + ",\"idempotency_key\":\"" + key + "\"}";
        return send(HttpRequest.newBuilder(uri("/v1/usage")).header("Content-Type", "application/json")
                .header("Authorization", basic()).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    static String accessToken(HttpResponse<String> response) {
        try {
            return (String) JSONObjectUtils.parse(response.body()).get("access_token");
        } catch (java.text.ParseException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((rsId + ":" + rsSecret).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(String path, Map<String, String> form, String authorization) {
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
