package dev.mandate.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.mandate.validator.InvalidTokenException;
import dev.mandate.validator.MandateClient;
import dev.mandate.validator.MandateToken;
import dev.mandate.validator.MandateTokenValidator;

/**
 * The whole story on one machine: the broker on its embedded default, a loopback workload-identity
 * issuer standing in for SPIRE, and an "orders" API that validates tokens with token-validator and
 * charges each call to the token's budget. A planner agent gets a root token with a budget, delegates
 * a narrower one to a coder, the coder calls the API until the budget runs out, the planner revokes
 * the task and the API starts refusing.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests install && java -jar demo/target/mandate-demo.jar}
 */
public final class Demo {

    static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ISSUER = "https://spire.demo.local";

    /** What happened, for the test that runs the demo in CI. */
    public record Transcript(List<Integer> coderCalls, int afterRevocation, List<String> actChain, long rootBudget,
                             long childBudget) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Consumer<String> out;

    Demo(Consumer<String> out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "broker-service/target/mandate-broker.jar");
        new Demo(System.out::println).run(jar);
    }

    public Transcript run(Path brokerJar) throws Exception {
        if (!Files.exists(brokerJar)) {
            throw new IllegalStateException(brokerJar + " is missing: run ./mvnw -B -q -DskipTests install first");
        }
        Path data = Files.createTempDirectory("mandate-demo-");
        String admin = random();
        int port = freePort();
        String broker = "http://localhost:" + port;
        say("1. Starting the broker on its embedded default (data in " + data + ") ...");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", brokerJar.toString()).redirectErrorStream(true).redirectOutput(data.resolve("broker.log").toFile());
        builder.environment().put("MANDATE_DATA_DIR", data.resolve("data").toString());
        builder.environment().put("MANDATE_ADMIN_TOKEN", admin);
        builder.environment().put("PORT", String.valueOf(port));
        Process process = builder.start();
        HttpServer orders = null;
        try {
            awaitReady(broker, process, data);
            say("   ready at " + broker);

            ECKey spire = new ECKeyGenerator(Curve.P_256).keyID("spire-1").algorithm(JWSAlgorithm.ES256).generate();
            say("2. Registering a workload issuer (stand-in for SPIRE), the orders API, two scopes and two agents");
            adminPost(broker, admin, "/admin/v1/issuers", "{\"id\":\"spire\",\"issuer\":\"" + ISSUER + "\",\"jwks\":"
                    + new JWKSet(spire.toPublicJWK()) + "}");
            Map<String, Object> rs = adminPost(broker, admin, "/admin/v1/resource-servers",
                    "{\"id\":\"orders\",\"audience\":\"https://orders.demo.local\"}");
            String secret = (String) rs.get("client_secret");
            adminPost(broker, admin, "/admin/v1/scopes", "{\"name\":\"orders:read\",\"resource_server_id\":\"orders\",\"max_budget\":100}");
            adminPost(broker, admin, "/admin/v1/scopes", "{\"name\":\"orders:write\",\"resource_server_id\":\"orders\"}");
            adminPost(broker, admin, "/admin/v1/agents", "{\"id\":\"coder\",\"issuer_id\":\"spire\","
                    + "\"subject\":\"spiffe://demo/agents/coder\",\"allowed_scopes\":[\"orders:read\"]}");
            adminPost(broker, admin, "/admin/v1/agents", "{\"id\":\"planner\",\"issuer_id\":\"spire\","
                    + "\"subject\":\"spiffe://demo/agents/planner\",\"allowed_scopes\":[\"orders:read\",\"orders:write\"],"
                    + "\"may_delegate_to\":[\"coder\"]}");

            orders = ordersApi(broker, secret);
            String api = "http://127.0.0.1:" + orders.getAddress().getPort() + "/orders";
            say("3. The orders API listens at " + api + " (validates offline with token-validator, charges 1 call per request)");

            say("4. The planner exchanges its workload JWT for a root task token with a budget of 10 calls");
            Map<String, Object> root = exchange(broker, Map.of("grant_type", GRANT, "subject_token", workloadJwt(spire, "planner", broker),
                    "subject_token_type", "urn:ietf:params:oauth:token-type:jwt", "audience", "https://orders.demo.local",
                    "scope", "orders:read orders:write", "budget", "10", "task", "summarise this week's orders"));
            String rootToken = (String) root.get("access_token");
            say("   task " + root.get("task_id") + ", scope '" + root.get("scope") + "', expires in " + root.get("expires_in")
                    + " s, budget " + root.get("budget"));

            say("5. It delegates read-only access with 5 of its calls to the coder agent");
            Map<String, Object> child = exchange(broker, Map.of("grant_type", GRANT, "subject_token", rootToken,
                    "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                    "actor_token", workloadJwt(spire, "coder", broker), "actor_token_type", "urn:ietf:params:oauth:token-type:jwt",
                    "scope", "orders:read", "budget", "5"));
            String childToken = (String) child.get("access_token");
            JWTClaimsSet claims = SignedJWT.parse(childToken).getJWTClaimsSet();
            List<String> chain = new ArrayList<>();
            Object act = claims.getClaim("act");
            while (act instanceof Map<?, ?> map) {
                chain.add(String.valueOf(map.get("sub")));
                act = map.get("act");
            }
            say("   decoded: sub=" + claims.getSubject() + " client_id=" + claims.getStringClaim("client_id") + " act=" + claims.getClaim("act")
                    + " scope=" + claims.getStringClaim("scope") + " budget=" + claims.getClaim("budget"));

            say("6. The coder calls the orders API until its budget runs out");
            List<Integer> calls = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                HttpResponse<String> response = call(api, childToken);
                calls.add(response.statusCode());
                say("   call " + i + ": HTTP " + response.statusCode() + " " + response.body());
                if (response.statusCode() != 200) {
                    break;
                }
            }

            say("7. The planner revokes the task's root token; everything delegated from it goes too");
            HttpResponse<String> revoked = http.send(form(broker + "/oauth2/revoke", Map.of("token", rootToken,
                    "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "client_assertion", workloadJwt(spire, "planner", broker))), HttpResponse.BodyHandlers.ofString());
            say("   revocation: HTTP " + revoked.statusCode());
            HttpResponse<String> after = call(api, childToken);
            say("8. The coder tries again: HTTP " + after.statusCode() + " " + after.body());
            say("Done: a leaked coder token was worth at most 5 read-only calls to one API for minutes, and it is dead now.");
            return new Transcript(calls, after.statusCode(), chain, ((Number) ((Map<?, ?>) root.get("budget")).get("limit")).longValue(),
                    ((Number) ((Map<?, ?>) child.get("budget")).get("limit")).longValue());
        } finally {
            if (orders != null) {
                orders.stop(0);
            }
            process.destroy();   // graceful: the broker stops its PostgreSQL
            process.waitFor();
            deleteQuietly(data);
        }
    }

    /** The orders API: offline validation, then a charge of 1 per call; revoked or spent tokens are refused. */
    private HttpServer ordersApi(String broker, String secret) throws IOException {
        MandateTokenValidator validator = MandateTokenValidator.builder(broker, "https://orders.demo.local").build();
        MandateClient ledger = new MandateClient(broker, "orders", secret);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/orders", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            int status;
            String body;
            try {
                MandateToken token = validator.validate(auth == null ? null : auth.replaceFirst("^Bearer ", ""));
                if (!token.hasScope("orders:read")) {
                    status = 403;
                    body = "{\"error\":\"insufficient_scope\"}";
                } else {
                    MandateClient.Charge charge = ledger.charge(auth.substring(7), 1, UUID.randomUUID().toString());
                    if (charge instanceof MandateClient.Charge.Charged charged) {
                        status = 200;
                        body = "{\"orders\":[\"#1041\",\"#1042\"],\"agent\":\"" + token.clientId() + "\",\"remaining\":" + charged.remaining() + "}";
                    } else if (charge instanceof MandateClient.Charge.BudgetExceeded exceeded) {
                        status = 402;
                        body = "{\"error\":\"budget exhausted\",\"remaining\":" + exceeded.remaining() + "}";
                    } else if (charge instanceof MandateClient.Charge.Inactive) {
                        status = 401;
                        body = "{\"error\":\"token revoked or expired\"}";
                    } else {
                        status = 503;
                        body = "{\"error\":\"broker unavailable\"}";
                    }
                }
            } catch (InvalidTokenException e) {
                status = 401;
                body = "{\"error\":\"" + e.reason() + "\"}";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
                body = "{}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        });
        server.start();
        return server;
    }

    private String workloadJwt(ECKey key, String agent, String broker) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).subject("spiffe://demo/agents/" + agent).audience(broker)
                        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).jwtID(UUID.randomUUID().toString()).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private Map<String, Object> exchange(String broker, Map<String, String> params) throws Exception {
        HttpResponse<String> response = http.send(form(broker + "/oauth2/token", params), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("exchange refused: " + response.body());
        }
        return JSONObjectUtils.parse(response.body());
    }

    private HttpResponse<String> call(String api, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(api)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> adminPost(String broker, String admin, String path, String json) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(broker + path))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(path + " refused: " + response.body());
        }
        return JSONObjectUtils.parse(response.body());
    }

    private static HttpRequest form(String url, Map<String, String> params) {
        String body = new LinkedHashMap<>(params).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void awaitReady(String broker, Process process, Path data) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited; see " + data.resolve("broker.log"));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(broker + "/actuator/health/readiness")).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the broker did not become ready; see " + data.resolve("broker.log"));
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory; the OS cleans it up eventually
        }
    }

    private void say(String line) {
        out.accept(line);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String random() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
