package dev.mandate.broker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.mandate.broker.embeddedpg.EmbeddedPostgresLauncher;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SECURITY.md faults: PostgreSQL down. */
class DatabaseDownTest {

    @TempDir
    Path dataDir;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> exchange(int port, String jwt, String audience, String scope) throws Exception {
        Map<String, String> form = Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token", jwt,
                "subject_token_type", "urn:ietf:params:oauth:token-type:jwt", "audience", audience, "scope", scope);
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("token requests get 503 temporarily_unavailable with Retry-After and no token; JWKS keeps being served; readiness goes DOWN")
    void databaseDown() throws Exception {
        try (TestWorkloadIssuer spire = new TestWorkloadIssuer("spire-down");
             StandaloneBroker broker = StandaloneBroker.start(dataDir, Map.of())) {
            int port = broker.port();
            Catalog catalog = new Catalog(broker.jdbc(), "down");
            String issuer = catalog.issuerInline("spire", spire, null);
            String rs = catalog.resourceServer("orders", "https://orders.down.example", "calls");
            String read = catalog.scope("read", rs, 300, 900, null, true);
            catalog.agent("planner", issuer, "spiffe://down/planner", List.of(read), List.of(), 3, true);
            String jwt = spire.mint("spiffe://down/planner", "http://localhost:" + port);
            assertThat(exchange(port, jwt, "https://orders.down.example", read).statusCode()).isEqualTo(200);

            broker.bean(EmbeddedPostgresLauncher.class).close();   // PostgreSQL stops under the running broker

            HttpResponse<String> refused = exchange(port, jwt, "https://orders.down.example", read);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.body()).contains("temporarily_unavailable").doesNotContain("access_token");
            assertThat(get(port, "/oauth2/jwks").statusCode()).isEqualTo(200);
            assertThat(get(port, "/.well-known/oauth-authorization-server").statusCode()).isEqualTo(200);
            HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(readiness.body()).contains("DOWN");
            assertThat(get(port, "/actuator/health/liveness").statusCode()).isEqualTo(200);
        }
    }
}
