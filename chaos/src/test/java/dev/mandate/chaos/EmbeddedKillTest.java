package dev.mandate.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a broker on its embedded default: its PostgreSQL is orphaned; the next start on the
 * same data directory stops the orphan, starts PostgreSQL again, decrypts the same keys (the JWKS
 * is unchanged) and serves.
 */
class EmbeddedKillTest {

    @Test
    @DisplayName("embedded mode: SIGKILL, restart on the same data directory: same keys, data intact, ready")
    void killAndRestart() throws Exception {
        Path jar = Path.of(System.getProperty("chaos.broker-jar", "../broker-service/target/mandate-broker.jar"));
        Path work = Files.createDirectories(Path.of(System.getProperty("chaos.work-dir", "target/chaos")));
        Path run = Files.createTempDirectory(work, "embedded-");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (Broker broker = new Broker(jar, run, port, List.of("--mandate.data-dir=" + run.resolve("data")))) {
            broker.start();
            HttpClient http = HttpClient.newHttpClient();
            String jwks = http.send(HttpRequest.newBuilder(URI.create(broker.url() + "/oauth2/jwks")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String adminToken = Files.readString(run.resolve("data").resolve("admin-token")).trim();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(broker.url() + "/admin/v1/resource-servers"))
                    .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"orders\",\"audience\":\"https://orders.kill.example\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            broker.kill();
            broker.start();

            assertThat(http.send(HttpRequest.newBuilder(URI.create(broker.url() + "/oauth2/jwks")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(jwks);
            HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(broker.url() + "/admin/v1/resource-servers/orders"))
                    .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(Files.readString(run.resolve("broker.log"))).contains("Stopping an orphaned PostgreSQL");
        }
    }
}
