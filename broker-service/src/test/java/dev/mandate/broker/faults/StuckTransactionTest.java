package dev.mandate.broker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TokenEndpointTest;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SECURITY.md "Connection pool exhausted": one transaction holds the lock every exchange needs
 * (an operator's stray {@code LOCK TABLE}, a stuck migration). Requests wait at most the lock
 * timeout, the pool is not starved, everyone gets 503 + Retry-After, and the broker serves again
 * as soon as the lock goes.
 */
class StuckTransactionTest extends TokenEndpointTest {

    @Autowired
    DataSource dataSource;

    @Test
    @DisplayName("a lock held elsewhere: 40 parallel exchanges get 503 + Retry-After without a hang, nothing is written, then 200 again")
    void lockHeldElsewhere() throws Exception {
        try (TestWorkloadIssuer spire = new TestWorkloadIssuer("spire-stuck")) {
            Catalog catalog = new Catalog(jdbc, "stuck");
            String issuer = catalog.issuerInline("spire", spire, null);
            String rs = catalog.resourceServer("orders", "https://orders.stuck.example", "calls");
            String read = catalog.scope("read", rs, 300, 900, null, true);
            catalog.agent("planner", issuer, "spiffe://stuck/planner", List.of(read), List.of(), 3, true);
            BrokerCalls calls = new BrokerCalls(port, rs, "unused");
            String audience = "https://orders.stuck.example";
            String self = "http://localhost:" + port;
            long tokensBefore = count("SELECT count(*) FROM tokens");

            List<HttpResponse<String>> answers = new ArrayList<>();
            long slowest = 0;
            ExecutorService clients = Executors.newFixedThreadPool(40);
            try (Connection stuck = dataSource.getConnection(); Statement statement = stuck.createStatement()) {
                stuck.setAutoCommit(false);
                statement.execute("LOCK TABLE audit_chains IN ACCESS EXCLUSIVE MODE");
                List<Future<long[]>> inFlight = new ArrayList<>();
                List<Future<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    String jwt = spire.mint("spiffe://stuck/planner", self);
                    responses.add(clients.submit(() -> calls.exchange(jwt, audience, read, null)));
                }
                long started = System.nanoTime();
                for (Future<HttpResponse<String>> f : responses) {
                    answers.add(f.get());
                }
                slowest = Duration.ofNanos(System.nanoTime() - started).toMillis();
                stuck.rollback();
            } finally {
                clients.shutdownNow();
            }
            for (HttpResponse<String> answer : answers) {
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                assertThat(answer.body()).contains("temporarily_unavailable").doesNotContain("access_token");
            }
            System.out.printf("lock held elsewhere: 40 exchanges answered 503 within %d ms%n", slowest);
            assertThat(Duration.ofMillis(slowest)).isLessThan(Duration.ofSeconds(20));
            assertThat(count("SELECT count(*) FROM tokens")).isEqualTo(tokensBefore);

            HttpResponse<String> after = calls.exchange(spire.mint("spiffe://stuck/planner", self), audience, read, null);
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
            assertInvariants();
        }
    }
}
