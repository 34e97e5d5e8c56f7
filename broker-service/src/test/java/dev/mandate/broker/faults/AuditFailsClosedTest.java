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

import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SECURITY.md: audit fails closed — no event, no token. */
class AuditFailsClosedTest {

    @TempDir
    Path dataDir;

    @Test
    @DisplayName("when the audit insert fails, the exchange answers 503 and leaves no token row or budget account")
    void noEventNoToken() throws Exception {
        try (TestWorkloadIssuer spire = new TestWorkloadIssuer("spire-audit");
             StandaloneBroker broker = StandaloneBroker.start(dataDir, Map.of())) {
            int port = broker.port();
            Catalog catalog = new Catalog(broker.jdbc(), "af");
            String issuer = catalog.issuerInline("spire", spire, null);
            String rs = catalog.resourceServer("orders", "https://orders.af.example", "calls");
            String read = catalog.scope("read", rs, 300, 900, null, true);
            catalog.agent("planner", issuer, "spiffe://af/planner", List.of(read), List.of(), 3, true);
            Map<String, String> form = Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                    "subject_token", spire.mint("spiffe://af/planner", "http://localhost:" + port),
                    "subject_token_type", "urn:ietf:params:oauth:token-type:jwt", "audience", "https://orders.af.example",
                    "scope", read, "budget", "5");
            String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            broker.jdbc().sql("ALTER TABLE audit_events RENAME TO audit_events_away").update();
            HttpResponse<String> response;
            try {
                response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } finally {
                broker.jdbc().sql("ALTER TABLE audit_events_away RENAME TO audit_events").update();
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.body()).contains("temporarily_unavailable").doesNotContain("access_token");
            assertThat(broker.jdbc().sql("SELECT count(*) FROM tokens").query(Long.class).single()).isZero();
            assertThat(broker.jdbc().sql("SELECT count(*) FROM budget_accounts").query(Long.class).single()).isZero();
        }
    }
}
