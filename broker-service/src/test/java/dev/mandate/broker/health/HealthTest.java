package dev.mandate.broker.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import dev.mandate.broker.support.BrokerIntegrationTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HealthTest extends BrokerIntegrationTest {

    @Test
    @DisplayName("liveness and readiness are UP while PostgreSQL answers")
    void probes() {
        assertThat(get("/actuator/health/liveness").body()).contains("\"status\":\"UP\"");
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
    }

    @Test
    @DisplayName("Prometheus metrics are served, including the connection pool's")
    void prometheus() {
        HttpResponse<String> response = get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("jvm_memory_used_bytes").contains("hikaricp_connections");
    }

    @Test
    @DisplayName("anything not mapped is refused, not exposed")
    void closedByDefault() {
        assertThat(get("/actuator/env").statusCode()).isIn(401, 403, 404);
        assertThat(get("/nothing-here").statusCode()).isIn(401, 403, 404);
    }
}
