package dev.mandate.broker.tokenendpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.TestWorkloadIssuer;
import dev.mandate.broker.support.TokenEndpointTest;
import dev.mandate.interop.StockResourceServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** SPEC §4.4: stock validators accept Mandate tokens with nothing but the broker's issuer URL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InteropTest extends TokenEndpointTest {

    TestWorkloadIssuer spire;
    String audience;
    String subject;
    String token;

    @BeforeAll
    void issueToken() {
        spire = new TestWorkloadIssuer("spire-interop");
        String prefix = "io" + Long.toHexString(System.nanoTime() & 0xffffff);
        Catalog catalog = new Catalog(jdbc, prefix);
        String issuer = catalog.issuer("spire", spire, null);
        audience = "https://orders-" + prefix + ".example.com";
        String rs = catalog.resourceServer("orders", audience, "calls");
        String read = catalog.scope("read", rs, 300, 900, null, true);
        subject = "spiffe://acme.org/agents/interop-" + prefix;
        catalog.agent("planner", issuer, subject, List.of(read), List.of(), 3, true);
        HttpResponse<String> response = token(form("grant_type", GRANT, "subject_token",
                spire.mint(subject, "http://localhost:" + port), "subject_token_type", JWT_TYPE, "audience", audience, "scope", read));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        token = (String) json(response).get("access_token");
    }

    @AfterAll
    void stop() {
        spire.close();
    }

    private ConfigurableApplicationContext resourceServer(boolean rfc9068) {
        return resourceServer("--interop.rfc9068=" + rfc9068,
                "--spring.security.oauth2.resourceserver.jwt.issuer-uri=http://localhost:" + port);
    }

    private ConfigurableApplicationContext resourceServer(String... settings) {
        List<String> args = new java.util.ArrayList<>(List.of(settings));
        args.addAll(List.of(
                "--spring.config.name=stock-resource-server",   // not the broker's application.properties
                "--server.port=0",
                "--spring.autoconfigure.exclude="
                        + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                        + "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration,"
                        + "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
                        + "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration,"
                        + "org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerAutoConfiguration,"
                        + "org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerJwtAutoConfiguration",
                "--spring.main.banner-mode=off"));
        return new SpringApplicationBuilder(StockResourceServer.class).run(args.toArray(String[]::new));
    }

    @Test
    @DisplayName("issue 9: with token-validator on the classpath, two properties (mandate.issuer-uri, mandate.audience) make a Spring "
            + "resource server accept Mandate tokens and refuse other audiences")
    void springResourceServerWithMandateAutoConfiguration() {
        try (ConfigurableApplicationContext app = resourceServer("--mandate.issuer-uri=http://localhost:" + port,
                "--mandate.audience=" + audience)) {
            HttpResponse<String> ok = callOrders(app, token);
            assertThat(ok.statusCode()).as(ok.headers().map().toString()).isEqualTo(200);
            assertThat(ok.body()).contains(subject);
        }
        try (ConfigurableApplicationContext other = resourceServer("--mandate.issuer-uri=http://localhost:" + port,
                "--mandate.audience=https://another.example.com")) {
            assertThat(callOrders(other, token).statusCode()).isEqualTo(401);
        }
    }

    private HttpResponse<String> callOrders(ConfigurableApplicationContext app, String bearer) {
        int rsPort = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        return send(HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + rsPort + "/orders"))
                .header("Authorization", "Bearer " + bearer).GET().build());
    }

    @Test
    @DisplayName("Spring Boot 4.1 with only the issuer URL discovers the broker (RFC 8414) and verifies the signature, "
            + "but its default JwtTypeValidator.jwt() refuses RFC 9068's typ at+jwt: a known conflict in SPEC §4.4")
    void springResourceServerOnlyIssuer() {
        try (ConfigurableApplicationContext app = resourceServer(false)) {
            HttpResponse<String> response = callOrders(app, token);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).contains("typ value needs to be one of [JWT]"));
        }
    }

    @Test
    @DisplayName("a Spring Boot resource server with the issuer URL and RFC 9068's typ accepts the token, and refuses a tampered one")
    void springResourceServerRfc9068() {
        try (ConfigurableApplicationContext app = resourceServer(true)) {
            HttpResponse<String> ok = callOrders(app, token);
            assertThat(ok.statusCode()).as(ok.headers().map().toString()).isEqualTo(200);
            assertThat(ok.body()).contains(subject);
            String[] parts = token.split("\\.");
            String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace(subject, subject + "x")
                            .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
            assertThat(callOrders(app, tampered).statusCode()).isEqualTo(401);
        }
    }

    @Test
    @DisplayName("a non-Java validator (Node's built-in WebCrypto) accepts the token and rejects a tampered copy")
    void nodeValidator(@TempDir Path dir) throws Exception {
        assumeTrue(nodeAvailable(), "node is not installed here");
        Path script = dir.resolve("verify.mjs");
        Files.writeString(script, """
                import { webcrypto } from 'node:crypto';
                const subtle = webcrypto.subtle;
                const [,, issuer, audience, token] = process.argv;
                const b64 = s => Buffer.from(s, 'base64url');
                async function verify(t) {
                  const [h, p, s] = t.split('.');
                  const header = JSON.parse(b64(h)); const claims = JSON.parse(b64(p));
                  const meta = await (await fetch(issuer + '/.well-known/oauth-authorization-server')).json();
                  const jwks = await (await fetch(meta.jwks_uri)).json();
                  const jwk = jwks.keys.find(k => k.kid === header.kid);
                  if (!jwk || header.alg !== 'ES256' || header.typ !== 'at+jwt') return false;
                  const key = await subtle.importKey('jwk', jwk, {name: 'ECDSA', namedCurve: 'P-256'}, false, ['verify']);
                  const ok = await subtle.verify({name: 'ECDSA', hash: 'SHA-256'}, key, b64(s), Buffer.from(h + '.' + p));
                  return ok && claims.iss === issuer && claims.aud === audience && claims.exp > Date.now() / 1000;
                }
                const tampered = (() => { const [h, p, s] = token.split('.');
                  const c = JSON.parse(b64(p)); c.scope = c.scope + ' admin';
                  return h + '.' + Buffer.from(JSON.stringify(c)).toString('base64url') + '.' + s; })();
                console.log(JSON.stringify({genuine: await verify(token), tampered: await verify(tampered)}));
                """);
        Process node = new ProcessBuilder("node", script.toString(), "http://localhost:" + port, audience, token)
                .redirectErrorStream(true).start();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(out).isEqualTo("{\"genuine\":true,\"tampered\":false}");
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
                    && Integer.parseInt(new String(p.getInputStream().readAllBytes()).trim().replace("v", "").split("\\.")[0]) >= 18;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    static Map<String, Object> unused() {
        return Map.of();
    }
}
