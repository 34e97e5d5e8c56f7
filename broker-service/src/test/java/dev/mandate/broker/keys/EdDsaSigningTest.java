package dev.mandate.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import dev.mandate.validator.InvalidTokenException;
import dev.mandate.validator.MandateToken;
import dev.mandate.validator.MandateTokenValidator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mandate.keys.algorithm=EdDSA: Ed25519 keys (RFC 8037) published as OKP JWKs and used to sign access tokens. */
class EdDsaSigningTest {

    @TempDir
    Path dataDir;

    @Test
    @DisplayName("tokens are signed with Ed25519, the JWKS publishes the OKP key, token-validator accepts them when EdDSA is allowed")
    void ed25519() throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(TestDatabase.properties());
        properties.put("mandate.keys.algorithm", "EdDSA");
        try (TestWorkloadIssuer spire = new TestWorkloadIssuer("spire-eddsa");
             StandaloneBroker broker = StandaloneBroker.start(dataDir, properties)) {
            Catalog catalog = new Catalog(broker.jdbc(), "eddsa");
            String issuer = catalog.issuerInline("spire", spire, null);
            String rs = catalog.resourceServer("orders", "https://orders.eddsa.example", "calls");
            String read = catalog.scope("read", rs, 300, 900, null, true);
            catalog.agent("planner", issuer, "spiffe://eddsa/planner", List.of(read), List.of(), 3, true);
            String base = "http://localhost:" + broker.port();
            Map<String, String> form = Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                    "subject_token", spire.mint("spiffe://eddsa/planner", base), "subject_token_type", "urn:ietf:params:oauth:token-type:jwt",
                    "audience", "https://orders.eddsa.example", "scope", read);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String token = (String) JSONObjectUtils.parse(response.body()).get("access_token");

            SignedJWT jwt = SignedJWT.parse(token);
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.EdDSA);
            JWKSet jwks = JWKSet.parse(http.send(HttpRequest.newBuilder(URI.create(base + "/oauth2/jwks")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            OctetKeyPair published = (OctetKeyPair) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
            assertThat(published.isPrivate()).isFalse();
            assertThat(jwt.verify(new Ed25519Verifier(published))).isTrue();

            MandateToken validated = MandateTokenValidator.builder(base, "https://orders.eddsa.example")
                    .algorithms(Set.of(JWSAlgorithm.EdDSA)).build().validate(token);
            assertThat(validated.subject()).isEqualTo("spiffe://eddsa/planner");
            assertThatThrownBy(() -> MandateTokenValidator.builder(base, "https://orders.eddsa.example").build().validate(token))
                    .as("the default allow-list (ES256, RS256) refuses EdDSA").isInstanceOf(InvalidTokenException.class);
        }
    }
}
