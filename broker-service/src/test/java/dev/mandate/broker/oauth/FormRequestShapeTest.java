package dev.mandate.broker.oauth;

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

@DisplayName("SECURITY.md HTTP: the OAuth endpoints take one shape of request only")
class FormRequestShapeTest extends BrokerIntegrationTest {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String GRANT = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange";

    private HttpResponse<String> post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static void assertError(HttpResponse<String> response, int status, String error) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        Map<String, Object> body = JSONObjectUtils.parse(response.body());
        assertThat(body).containsEntry("error", error);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"})
    @DisplayName("a JSON body is refused with invalid_request")
    void json(String path) throws Exception {
        assertError(post(path, "application/json", "{\"grant_type\":\"x\"}"), 400, "invalid_request");
    }

    @Test
    @DisplayName("a multipart body is refused with invalid_request")
    void multipart() throws Exception {
        assertError(post("/oauth2/token", "multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nfoo\r\n--x--\r\n"), 400, "invalid_request");
    }

    @Test
    @DisplayName("parameters in the query string are refused (tokens must not land in access logs)")
    void queryString() throws Exception {
        assertError(post("/oauth2/token?subject_token=eyJ", FORM, GRANT), 400, "invalid_request");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"grant_type", "subject_token", "subject_token_type", "scope", "actor_token", "ttl", "budget", "client_assertion"})
    @DisplayName("an RFC parameter sent twice is refused with invalid_request")
    void repeated(String name) throws Exception {
        HttpResponse<String> response = post("/oauth2/token", FORM, GRANT + "&" + name + "=a&" + name + "=b");
        assertError(response, 400, "invalid_request");
        assertThat(JSONObjectUtils.parse(response.body()).get("error_description").toString()).contains(name);
    }

    @Test
    @DisplayName("a body over 64 KiB is refused with 413 before it is parsed")
    void oversized() throws Exception {
        assertError(post("/oauth2/token", FORM, GRANT + "&subject_token=" + "a".repeat(70_000)), 413, "invalid_request");
    }

    @Test
    @DisplayName("GET is refused with 405")
    void get() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/oauth2/token")).GET().build());
        assertError(response, 405, "invalid_request");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    @DisplayName("a malformed percent-escape is refused with invalid_request")
    void malformedEscape() throws Exception {
        assertError(post("/oauth2/token", FORM, GRANT + "&scope=%zz"), 400, "invalid_request");
    }
}
