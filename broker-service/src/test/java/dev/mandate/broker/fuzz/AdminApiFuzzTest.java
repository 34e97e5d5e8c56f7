package dev.mandate.broker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mandate.broker.support.BrokerIntegrationTest;

/**
 * Coverage-guided fuzzing of the admin JSON binding and validation through the real broker over
 * real HTTP (issue 10, SECURITY.md "Admin"): a JSON body from the fuzzer is POSTed or PUT to one
 * of the catalog collections. Property: never a 5xx; every refusal is problem+json.
 * Seeds: {@code src/test/resources/dev/mandate/broker/fuzz/AdminApiFuzzTestInputs/}.
 */
class AdminApiFuzzTest extends BrokerIntegrationTest {

    @FuzzTest(maxDuration = "5m")
    void adminBody(FuzzedDataProvider data) throws Exception {
        // Jazzer's SSRF detector: the test's own calls to the broker on loopback are expected; any
        // other connection (e.g. the broker fetching a fuzzed jwks_uri) is a finding.
        try (var allowed = BugDetectors.allowNetworkConnections((host, p) -> p == port
                && (host.equals("localhost") || host.equals("127.0.0.1")))) {
            call(data);
        }
    }

    private void call(FuzzedDataProvider data) {
        String collection = data.pickValue(List.of("issuers", "resource-servers", "scopes", "agents"));
        boolean put = data.consumeBoolean();
        String body = data.consumeRemainingAsString();
        String path = "/admin/v1/" + collection + (put ? "/fuzz-target" : "");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json");
        request = put ? request.PUT(HttpRequest.BodyPublishers.ofString(body)) : request.POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = send(request.build());
        assertThat(response.statusCode()).as(path + " " + body + " -> " + response.body()).isLessThan(500);
        if (response.statusCode() >= 400) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        }
    }
}
