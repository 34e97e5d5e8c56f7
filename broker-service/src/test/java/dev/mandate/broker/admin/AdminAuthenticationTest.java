package dev.mandate.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.support.BrokerIntegrationTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("SPEC §2: admins send Authorization: Bearer <admin token>")
class AdminAuthenticationTest extends BrokerIntegrationTest {

    @Test
    @DisplayName("no token: 401 problem+json")
    void missing() throws Exception {
        HttpResponse<String> response = get("/admin/v1/keys");
        assertUnauthorized(response);
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(strings = {"Bearer wrong-token-wrong-token-wrong-token-123", "Bearer ", "Basic YWRtaW46YWRtaW4=", "bearer"})
    @DisplayName("a wrong token or scheme: 401 problem+json")
    void wrong(String header) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/admin/v1/keys")).header("Authorization", header).GET().build());
        assertUnauthorized(response);
    }

    @Test
    @DisplayName("the configured token differing in one character: 401")
    void almost() throws Exception {
        char last = ADMIN_TOKEN.charAt(ADMIN_TOKEN.length() - 1);
        String almost = ADMIN_TOKEN.substring(0, ADMIN_TOKEN.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertUnauthorized(send(HttpRequest.newBuilder(uri("/admin/v1/keys")).header("Authorization", "Bearer " + almost).GET().build()));
    }

    @Test
    @DisplayName("the admin token: 200, and only its SHA-256 is stored")
    void accepted() {
        assertThat(adminGet("/admin/v1/keys").statusCode()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM admin_tokens WHERE token_sha256 = :hash")
                .param("hash", AdminTokens.sha256(ADMIN_TOKEN)).query(Long.class).single()).isEqualTo(1L);
        assertThat(jdbc.sql("SELECT count(*) FROM admin_tokens WHERE encode(token_sha256, 'escape') LIKE :clear")
                .param("clear", "%" + ADMIN_TOKEN + "%").query(Long.class).single()).isZero();
    }

    private static void assertUnauthorized(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        Map<String, Object> problem = JSONObjectUtils.parse(response.body());
        assertThat(problem).containsEntry("type", "urn:mandate:problem:unauthorized").containsEntry("status", 401L);
        assertThat(response.body()).doesNotContain(ADMIN_TOKEN);
    }
}
