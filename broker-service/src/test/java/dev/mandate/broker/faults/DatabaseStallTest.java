package dev.mandate.broker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.mandate.broker.credentials.ResourceServerSecrets;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * SECURITY.md "PostgreSQL down or slow": a hung PostgreSQL (every process SIGSTOPped, as on a
 * frozen host) under a running broker with requests in flight.
 */
class DatabaseStallTest {

    /** The documented bound is about 3 s (README "Faults and timeouts"); this only catches a hang. */
    static final Duration NO_HANG = Duration.ofSeconds(8);

    @TempDir
    Path dataDir;

    record Timed(String call, HttpResponse<String> response, Duration took) {
    }

    static Callable<Timed> timed(String call, Callable<HttpResponse<String>> request) {
        return () -> {
            long started = System.nanoTime();
            HttpResponse<String> response = request.call();
            return new Timed(call, response, Duration.ofNanos(System.nanoTime() - started));
        };
    }

    @Test
    @DisplayName("token, usage, introspect and revoke answer 503 + Retry-After within a bound; JWKS is served; readiness recovers by itself; nothing half-written")
    void stalledDatabase() throws Exception {
        assumeFalse(TestDatabase.external(), "stalls the embedded PostgreSQL's processes");
        try (TestWorkloadIssuer spire = new TestWorkloadIssuer("spire-stall");
             StandaloneBroker broker = StandaloneBroker.start(dataDir, Map.of())) {
            JdbcClient jdbc = broker.jdbc();
            Catalog catalog = new Catalog(jdbc, "stall");
            String rsSecret = TestDatabase.randomToken();
            String issuer = catalog.issuerInline("spire", spire, null);
            String rs = catalog.resourceServer("orders", "https://orders.stall.example", "calls",
                    broker.bean(ResourceServerSecrets.class).hmac(rsSecret));
            String spend = catalog.scope("spend", rs, 300, 900, 100L, true);
            catalog.agent("planner", issuer, "spiffe://stall/planner", List.of(spend), List.of(), 3, true);
            String audience = "https://orders.stall.example";
            String brokerUrl = "http://localhost:" + broker.port();
            BrokerCalls calls = new BrokerCalls(broker.port(), rs, rsSecret);

            HttpResponse<String> issued = calls.exchange(spire.mint("spiffe://stall/planner", brokerUrl), audience, spend, "10");
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
            String token = BrokerCalls.accessToken(issued);
            assertThat(calls.charge(token, 1, "before").statusCode()).isEqualTo(200);
            long tokensBefore = jdbc.sql("SELECT count(*) FROM tokens").query(Long.class).single();
            long auditBefore = jdbc.sql("SELECT count(*) FROM audit_events").query(Long.class).single();

            PostgresProcesses postgres = new PostgresProcesses(dataDir.resolve("postgres"));
            ExecutorService pool = Executors.newFixedThreadPool(24);
            List<Timed> answers = new ArrayList<>();
            postgres.stall();
            try {
                List<Future<Timed>> inFlight = new ArrayList<>();
                // More requests than pooled connections: some wait for a connection, some hang on one.
                for (int i = 0; i < 20; i++) {
                    String jwt = spire.mint("spiffe://stall/planner", brokerUrl);
                    inFlight.add(pool.submit(timed("token", () -> calls.exchange(jwt, audience, spend, "5"))));
                }
                inFlight.add(pool.submit(timed("usage", () -> calls.charge(token, 1, "during"))));
                inFlight.add(pool.submit(timed("introspect", () -> calls.introspect(token))));
                String revoker = spire.mint("spiffe://stall/planner", brokerUrl);
                inFlight.add(pool.submit(timed("revoke", () -> calls.revoke(token, revoker))));
                for (Future<Timed> f : inFlight) {
                    answers.add(f.get());
                }
                Timed jwks = timed("jwks", () -> calls.get("/oauth2/jwks")).call();
                Timed metadata = timed("metadata", () -> calls.get("/.well-known/oauth-authorization-server")).call();
                Timed readiness = timed("readiness", () -> calls.get("/actuator/health/readiness")).call();
                assertThat(jwks.response().statusCode()).isEqualTo(200);
                assertThat(metadata.response().statusCode()).isEqualTo(200);
                assertThat(readiness.response().statusCode()).isEqualTo(503);
                assertThat(readiness.took()).isLessThan(NO_HANG);
                System.out.printf("stalled PostgreSQL: jwks %d ms, metadata %d ms, readiness DOWN in %d ms%n",
                        jwks.took().toMillis(), metadata.took().toMillis(), readiness.took().toMillis());
            } finally {
                postgres.resume();
                pool.shutdownNow();
            }
            long slowest = 0;
            for (Timed answer : answers) {
                HttpResponse<String> response = answer.response();
                assertThat(response.statusCode()).as(answer.call() + ": " + response.body()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).as(answer.call()).isPresent();
                assertThat(response.body()).doesNotContain("access_token");
                assertThat(answer.took()).as(answer.call()).isLessThan(NO_HANG);
                slowest = Math.max(slowest, answer.took().toMillis());
            }
            System.out.printf("stalled PostgreSQL: %d requests answered 503 in %d..%d ms%n", answers.size(),
                    answers.stream().mapToLong(a -> a.took().toMillis()).min().orElse(0), slowest);

            long resumed = System.nanoTime();
            HttpResponse<String> ready = calls.get("/actuator/health/readiness");
            while (ready.statusCode() != 200 && System.nanoTime() - resumed < Duration.ofSeconds(30).toNanos()) {
                Thread.sleep(100);
                ready = calls.get("/actuator/health/readiness");
            }
            assertThat(ready.statusCode()).as("readiness comes back without a restart").isEqualTo(200);
            System.out.printf("stalled PostgreSQL: ready again %d ms after SIGCONT%n", Duration.ofNanos(System.nanoTime() - resumed).toMillis());

            // Nothing from the stall was written; the token was not revoked and was not charged.
            assertThat(jdbc.sql("SELECT count(*) FROM tokens").query(Long.class).single()).isEqualTo(tokensBefore);
            assertThat(jdbc.sql("SELECT count(*) FROM usage_charges").query(Long.class).single()).isEqualTo(1L);
            assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE outcome = 'success'").query(Long.class).single())
                    .isLessThanOrEqualTo(auditBefore);
            assertThat(calls.introspect(token).body()).contains("\"active\":true");
            assertThat(calls.charge(token, 1, "after").statusCode()).isEqualTo(200);
            HttpResponse<String> again = calls.exchange(spire.mint("spiffe://stall/planner", brokerUrl), audience, spend, "5");
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        }
    }
}
