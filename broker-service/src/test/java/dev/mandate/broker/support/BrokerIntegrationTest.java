package dev.mandate.broker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One broker per test JVM, on a real PostgreSQL (see {@link TestDatabase}) and real HTTP over
 * loopback. All subclasses share this configuration, so Spring's context cache starts it once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class BrokerIntegrationTest {

    /** Generated per run; never a literal in the repository. */
    protected static final String ADMIN_TOKEN = TestDatabase.randomToken();
    private static final Path DATA_DIR = createDataDir();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void brokerProperties(DynamicPropertyRegistry registry) {
        registry.add("mandate.data-dir", DATA_DIR::toString);
        registry.add("mandate.admin-token", () -> ADMIN_TOKEN);
        registry.add("mandate.allow-insecure-issuers", () -> "true");
        // Attack tests send hundreds of refusals from 127.0.0.1; the limiter has its own test (HttpHardeningTest).
        registry.add("mandate.rate-limit.enabled", () -> "false");
        TestDatabase.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    protected URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    protected HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    protected HttpResponse<String> adminGet(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build());
    }

    protected HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("mandate-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
