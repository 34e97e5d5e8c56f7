package dev.mandate.broker.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.mandate.broker.support.BrokerIntegrationTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DiscoveryTest extends BrokerIntegrationTest {

    @Nested
    @DisplayName("RFC 8414 authorization server metadata")
    class Metadata {

        @Test
        @DisplayName("names the issuer and the token, jwks, introspection and revocation endpoints with RFC 8414 field names")
        void endpoints() throws Exception {
            HttpResponse<String> response = get("/.well-known/oauth-authorization-server");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            Map<String, Object> metadata = JSONObjectUtils.parse(response.body());
            String issuer = "http://localhost:" + port;
            assertThat(metadata).containsEntry("issuer", issuer)
                    .containsEntry("token_endpoint", issuer + "/oauth2/token")
                    .containsEntry("jwks_uri", issuer + "/oauth2/jwks")
                    .containsEntry("introspection_endpoint", issuer + "/oauth2/introspect")
                    .containsEntry("revocation_endpoint", issuer + "/oauth2/revoke");
        }

        @Test
        @DisplayName("advertises the token-exchange grant, its token types and the client authentication methods")
        @SuppressWarnings("unchecked")
        void grantsAndTypes() throws Exception {
            Map<String, Object> metadata = JSONObjectUtils.parse(get("/.well-known/oauth-authorization-server").body());
            assertThat((List<Object>) (List<?>) metadata.get("grant_types_supported"))
                    .containsExactly("urn:ietf:params:oauth:grant-type:token-exchange");
            assertThat((List<Object>) (List<?>) metadata.get("token_endpoint_auth_methods_supported")).contains("private_key_jwt");
            assertThat((List<Object>) (List<?>) metadata.get("introspection_endpoint_auth_methods_supported")).containsExactly("client_secret_basic");
            assertThat((List<Object>) (List<?>) metadata.get("subject_token_types_supported"))
                    .contains("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:access_token");
            // Only the names RFC 8414 §2 and its registry define, plus the RFC 8693 extension lists.
            assertThat(metadata.keySet()).allSatisfy(name -> assertThat(name).matches("[a-z0-9_]+"));
        }
    }

    @Nested
    @DisplayName("RFC 7517 JWKS")
    class Jwks {

        @Test
        @DisplayName("serves the current public key with Cache-Control max-age")
        void cacheHeader() throws Exception {
            HttpResponse<String> response = get("/oauth2/jwks");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json").doesNotContain("ISO-8859-1"));
            JWKSet set = JWKSet.parse(response.body());
            String current = jdbc.sql("SELECT kid FROM signing_keys WHERE state = 'current'").query(String.class).single();
            assertThat(set.getKeys()).extracting(JWK::getKeyID).contains(current);
        }

        @Test
        @DisplayName("never contains a private member")
        void noPrivateMembers() throws Exception {
            Map<String, Object> body = JSONObjectUtils.parse(get("/oauth2/jwks").body());
            List<Object> keys = JSONObjectUtils.getJSONArray(body, "keys");
            assertThat(keys).isNotEmpty().allSatisfy(key -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> jwk = (Map<String, Object>) key;
                assertThat(jwk).doesNotContainKeys("d", "p", "q", "dp", "dq", "qi", "oth", "k");
                assertThat(jwk).containsEntry("use", "sig").containsKey("alg").containsKey("kid");
            });
            assertThat(JWKSet.parse(get("/oauth2/jwks").body()).getKeys()).noneMatch(JWK::isPrivate);
        }
    }
}
