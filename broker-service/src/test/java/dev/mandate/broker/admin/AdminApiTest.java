package dev.mandate.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.mandate.broker.support.AdminClient;
import dev.mandate.broker.support.BrokerIntegrationTest;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §8 and issue 4: every admin exchange here is also checked against openapi.yaml by {@link AdminClient}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest extends BrokerIntegrationTest {

    AdminClient admin;
    TestWorkloadIssuer spire;
    String p;

    @BeforeAll
    void setUp() {
        admin = new AdminClient(port, ADMIN_TOKEN);
        spire = new TestWorkloadIssuer("spire-admin");
        p = "ad" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    @AfterAll
    void tearDown() {
        spire.close();
    }

    long rows(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    String issuer(String id) {
        AdminClient.Response r = admin.post("/admin/v1/issuers", "{\"id\":\"" + id + "\",\"issuer\":\"" + spire.issuer() + "/" + id
                + "\",\"jwks\":" + spire.publicJwks() + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return id;
    }

    String resourceServer(String id) {
        AdminClient.Response r = admin.post("/admin/v1/resource-servers", "{\"id\":\"" + id + "\",\"audience\":\"https://" + id + ".example.com\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return (String) r.json().get("client_secret");
    }

    void scope(String name, String rs) {
        AdminClient.Response r = admin.post("/admin/v1/scopes", "{\"name\":\"" + name + "\",\"resource_server_id\":\"" + rs + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    void assertRefused(AdminClient.Response response, int status, String type, String table, long before) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.problemType()).isEqualTo("urn:mandate:problem:" + type);
        assertThat(rows(table)).isEqualTo(before);
    }

    @Nested
    @DisplayName("CRUD")
    class Crud {

        @Test
        @DisplayName("an issuer, a resource server, scopes and two agents can be registered, read, replaced and deleted")
        void lifecycle() {
            String iss = issuer(p + "-iss");
            String secret = resourceServer(p + "-orders");
            assertThat(secret).hasSizeGreaterThanOrEqualTo(43);
            assertThat(jdbc.sql("SELECT count(*) FROM resource_servers WHERE encode(secret_hmac, 'escape') LIKE ?")
                    .param("%" + secret + "%").query(Long.class).single()).isZero();
            scope(p + ":read", p + "-orders");
            scope(p + ":write", p + "-orders");
            AdminClient.Response coder = admin.post("/admin/v1/agents", "{\"id\":\"" + p + "-coder\",\"issuer_id\":\"" + iss
                    + "\",\"subject\":\"spiffe://x/" + p + "/coder\",\"allowed_scopes\":[\"" + p + ":read\"]}");
            assertThat(coder.status()).as(coder.body()).isEqualTo(201);
            AdminClient.Response planner = admin.post("/admin/v1/agents", "{\"id\":\"" + p + "-planner\",\"issuer_id\":\"" + iss
                    + "\",\"subject\":\"spiffe://x/" + p + "/planner\",\"allowed_scopes\":[\"" + p + ":read\",\"" + p
                    + ":write\"],\"may_delegate_to\":[\"" + p + "-coder\"]}");
            assertThat(planner.status()).as(planner.body()).isEqualTo(201);
            assertThat(planner.json()).containsEntry("max_delegation_depth", 3L).containsEntry("enabled", true);
            AdminClient.Response read = admin.get("/admin/v1/agents/" + p + "-planner");
            assertThat(read.etag()).isEqualTo("\"0\"");
            AdminClient.Response replaced = admin.put("/admin/v1/agents/" + p + "-planner", "{\"subject\":\"spiffe://x/" + p
                    + "/planner\",\"allowed_scopes\":[\"" + p + ":read\"],\"max_delegation_depth\":2}", read.etag());
            assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
            assertThat(replaced.json()).containsEntry("max_delegation_depth", 2L).containsEntry("version", 1L)
                    .containsEntry("may_delegate_to", List.of());
            assertThat(admin.delete("/admin/v1/agents/" + p + "-planner").status()).isEqualTo(204);
            assertThat(admin.get("/admin/v1/agents/" + p + "-planner").status()).isEqualTo(404);
            assertThat(admin.get("/admin/v1/scopes/" + p + ":write").json()).containsEntry("default_ttl_seconds", 300L)
                    .containsEntry("max_ttl_seconds", 900L).containsEntry("delegable", true);
            assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE type LIKE 'admin.%' AND details->>'id' = ?")
                    .param(p + "-orders").query(Long.class).single()).isEqualTo(1L);
        }

        @Test
        @DisplayName("deleting something still referenced is a 409, never a cascade")
        void referenced() {
            String iss = issuer(p + "-ref-iss");
            resourceServer(p + "-ref-rs");
            scope(p + ":ref", p + "-ref-rs");
            admin.post("/admin/v1/agents", "{\"id\":\"" + p + "-ref-agent\",\"issuer_id\":\"" + iss + "\",\"subject\":\"s-" + p
                    + "\",\"allowed_scopes\":[\"" + p + ":ref\"]}");
            assertRefused(admin.delete("/admin/v1/resource-servers/" + p + "-ref-rs"), 409, "conflict", "resource_servers", rows("resource_servers"));
            assertRefused(admin.delete("/admin/v1/issuers/" + iss), 409, "conflict", "trusted_issuers", rows("trusted_issuers"));
            assertRefused(admin.delete("/admin/v1/scopes/" + p + ":ref"), 409, "conflict", "scopes", rows("scopes"));
        }

        @Test
        @DisplayName("pagination walks a list larger than one page without duplicates or gaps")
        void pagination() {
            String rs = p + "-page";
            resourceServer(rs);
            for (int i = 0; i < 23; i++) {
                scope(String.format("%s:page%02d", p, i), rs);
            }
            Set<String> seen = new HashSet<>();
            List<String> order = new ArrayList<>();
            String cursor = null;
            do {
                AdminClient.Response page = admin.get("/admin/v1/scopes?limit=5&resource_server_id=" + rs
                        + (cursor == null ? "" : "&cursor=" + cursor));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> items = (List<Map<String, Object>>) page.json().get("items");
                assertThat(items.size()).isLessThanOrEqualTo(5);
                for (Map<String, Object> item : items) {
                    assertThat(seen.add((String) item.get("name"))).as("no duplicates").isTrue();
                    order.add((String) item.get("name"));
                }
                cursor = (String) page.json().get("next_cursor");
            } while (cursor != null);
            assertThat(seen).hasSize(23);
            assertThat(order).isSorted();
        }

        @Test
        @DisplayName("two admins replacing one scope concurrently with If-Match: exactly one wins, the other gets 409")
        void optimisticLocking() throws Exception {
            resourceServer(p + "-lock");
            scope(p + ":lock", p + "-lock");
            String etag = admin.get("/admin/v1/scopes/" + p + ":lock").etag();
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                final int n = i;
                writers.add(() -> admin.put("/admin/v1/scopes/" + p + ":lock", "{\"resource_server_id\":\"" + p
                        + "-lock\",\"description\":\"writer " + n + "\"}", etag).status());
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(writers)) {
                statuses.add(f.get());
            }
            pool.shutdown();
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
            assertThat(admin.get("/admin/v1/scopes/" + p + ":lock").json()).containsEntry("version", 1L);
        }

        @Test
        @DisplayName("rotating a resource server's secret shows a new one once; the old one works during the overlap")
        void rotation() {
            String old = resourceServer(p + "-rot");
            AdminClient.Response rotated = admin.post("/admin/v1/resource-servers/" + p + "-rot/secret", null);
            assertThat(rotated.status()).isEqualTo(200);
            String fresh = (String) rotated.json().get("client_secret");
            assertThat(fresh).isNotEqualTo(old);
            assertThat(rotated.json().get("previous_secret_valid_until")).isNotNull();
            assertThat(admin.get("/admin/v1/resource-servers/" + p + "-rot").body()).doesNotContain(fresh).doesNotContain(old);
        }
    }

    @Nested
    @DisplayName("validation: problem+json with a stable type, and nothing written")
    class Refusals {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"Bad_Id", "-lead", "a/b", "x'; DROP TABLE agents; --"})
        @DisplayName("ids are slugs")
        void slugs(String id) {
            long before = rows("resource_servers");
            assertRefused(admin.post("/admin/v1/resource-servers", "{\"id\":\"" + id.replace("\"", "") + "\",\"audience\":\"https://x.example\"}"),
                    400, "validation", "resource_servers", before);
        }

        @Test
        @DisplayName("unknown JSON fields are rejected")
        void unknownField() {
            long before = rows("resource_servers");
            assertRefused(admin.post("/admin/v1/resource-servers", "{\"id\":\"" + p + "-u\",\"audience\":\"https://u.example\",\"admin\":true}"),
                    400, "unknown-field", "resource_servers", before);
        }

        @Test
        @DisplayName("malformed JSON 400, wrong content type 415, oversized body 413")
        void shapes() {
            long before = rows("scopes");
            assertRefused(admin.post("/admin/v1/scopes", "{\"name\":"), 400, "malformed-json", "scopes", before);
            AdminClient.Response big = admin.post("/admin/v1/scopes", "{\"description\":\"" + "x".repeat(70_000) + "\"}");
            assertRefused(big, 413, "payload-too-large", "scopes", before);
            assertRefused(admin.call("POST", "/admin/v1/scopes", "name=x", null, "application/x-www-form-urlencoded"),
                    415, "unsupported-media-type", "scopes", before);
        }

        @Test
        @DisplayName("scope names follow RFC 6749 §3.3; TTLs positive with default ≤ max ≤ the broker cap; max_budget positive")
        void scopes() {
            resourceServer(p + "-v");
            long before = rows("scopes");
            for (String body : List.of(
                    "{\"name\":\"has space\",\"resource_server_id\":\"" + p + "-v\"}",
                    "{\"name\":\"q\\\"uote\",\"resource_server_id\":\"" + p + "-v\"}",
                    "{\"name\":\"" + p + ":t\",\"resource_server_id\":\"" + p + "-v\",\"default_ttl_seconds\":0}",
                    "{\"name\":\"" + p + ":t\",\"resource_server_id\":\"" + p + "-v\",\"default_ttl_seconds\":600,\"max_ttl_seconds\":300}",
                    "{\"name\":\"" + p + ":t\",\"resource_server_id\":\"" + p + "-v\",\"max_ttl_seconds\":999999}",
                    "{\"name\":\"" + p + ":t\",\"resource_server_id\":\"" + p + "-v\",\"max_budget\":0}",
                    "{\"name\":\"" + p + ":t\",\"resource_server_id\":\"nope-" + p + "\"}")) {
                assertRefused(admin.post("/admin/v1/scopes", body), 400, "validation", "scopes", before);
            }
        }

        @Test
        @DisplayName("audience is an absolute URI and unique")
        void audience() {
            long before = rows("resource_servers");
            assertRefused(admin.post("/admin/v1/resource-servers", "{\"id\":\"" + p + "-rel\",\"audience\":\"orders\"}"),
                    400, "validation", "resource_servers", before);
            resourceServer(p + "-uniq");
            assertRefused(admin.post("/admin/v1/resource-servers", "{\"id\":\"" + p + "-uniq2\",\"audience\":\"https://" + p + "-uniq.example.com\"}"),
                    409, "conflict", "resource_servers", before + 1);
        }

        @Test
        @DisplayName("allowed_scopes and may_delegate_to name existing things")
        void references() {
            String iss = issuer(p + "-refs");
            long before = rows("agents");
            assertRefused(admin.post("/admin/v1/agents", "{\"id\":\"" + p + "-a1\",\"issuer_id\":\"" + iss + "\",\"subject\":\"s1\",\"allowed_scopes\":[\"no:such\"]}"),
                    400, "validation", "agents", before);
            assertRefused(admin.post("/admin/v1/agents", "{\"id\":\"" + p + "-a2\",\"issuer_id\":\"" + iss + "\",\"subject\":\"s2\",\"may_delegate_to\":[\"ghost\"]}"),
                    400, "validation", "agents", before);
            assertRefused(admin.post("/admin/v1/agents", "{\"id\":\"" + p + "-a3\",\"issuer_id\":\"ghost\",\"subject\":\"s3\"}"),
                    400, "validation", "agents", before);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"file:///etc/passwd", "http://169.254.169.254/latest/meta-data", "https://169.254.169.254/jwks",
                "https://metadata.google.internal/jwks", "https://[fe80::1]/jwks", "ftp://example.com/jwks", "https://user@example.com/jwks"})
        @DisplayName("jwks_uri is never file:, link-local or a metadata address")
        void jwksUri(String uri) {
            long before = rows("trusted_issuers");
            AdminClient.Response r = admin.post("/admin/v1/issuers", "{\"id\":\"" + p + "-bad\",\"issuer\":\"https://bad-" + p + "\",\"jwks_uri\":\"" + uri + "\"}");
            assertRefused(r, 400, "insecure-jwks-uri", "trusted_issuers", before);
        }

        @Test
        @DisplayName("an inline jwks with a private key is refused")
        void privateJwks() {
            long before = rows("trusted_issuers");
            String priv = "{\"keys\":[" + spire.ecKey().toJSONString() + "]}";
            assertRefused(admin.post("/admin/v1/issuers", "{\"id\":\"" + p + "-priv\",\"issuer\":\"https://priv-" + p + "\",\"jwks\":" + priv + "}"),
                    400, "validation", "trusted_issuers", before);
        }

        @Test
        @DisplayName("unknown ids are 404")
        void notFound() {
            assertThat(admin.get("/admin/v1/agents/" + p + "-ghost").problemType()).isEqualTo("urn:mandate:problem:not-found");
            assertThat(admin.post("/admin/v1/tokens/nope/revoke", null).status()).isEqualTo(404);
        }
    }
}
