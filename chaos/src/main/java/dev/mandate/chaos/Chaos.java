package dev.mandate.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * The fault and soak harness (issue 10). N clients run mixed operations against the real broker
 * jar (root and delegated exchanges, charges with idempotency keys and replays, revocations,
 * introspections) while a fault thread stalls and restarts PostgreSQL, kills the broker with
 * SIGKILL and restarts it, and forces key rotations. Afterwards the SECURITY.md invariants are
 * checked in SQL and against what the clients were told, and the outcomes are counted.
 *
 * <pre>java -cp ... dev.mandate.chaos.Chaos [clients] [operations] [fault interval, e.g. 5s]</pre>
 * or, as README says, {@code ./mvnw -B -pl chaos -am verify -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dchaos.clients=16 -Dchaos.operations=10000}.
 */
public final class Chaos {

    public record Options(Path brokerJar, Path workDir, int clients, long operations, Duration faultInterval) {
    }

    enum Op { ROOT, DELEGATE, CHARGE, REPLAY, INTROSPECT, REVOKE }

    enum Outcome { OK_2XX, REFUSED_4XX, UNAVAILABLE_503, ERROR_5XX, CONNECTION_LOST, TIMEOUT }

    enum Fault { DB_STALL, KEY_ROTATION, DB_RESTART, BROKER_KILL }

    public record FaultRecord(Fault fault, String probe, long probeMillis, long recoveryMillis) {
    }

    public record Report(long operations, Duration elapsed, Map<Op, Map<Outcome, Long>> outcomes, List<FaultRecord> faults,
                         List<String> violations, long tokensIssued, long chargesAcknowledged, long revocationsAcknowledged) {

        public long count(Outcome outcome) {
            return outcomes.values().stream().mapToLong(m -> m.getOrDefault(outcome, 0L)).sum();
        }

        public String render() {
            StringBuilder out = new StringBuilder();
            out.append(String.format("chaos: %,d operations in %.1f s (%,.0f ops/s), %,d tokens issued, %,d charges and %,d revocations acknowledged%n",
                    operations, elapsed.toMillis() / 1000.0, operations * 1000.0 / Math.max(1, elapsed.toMillis()),
                    tokensIssued, chargesAcknowledged, revocationsAcknowledged));
            out.append(String.format("%-11s", "operation"));
            for (Outcome o : Outcome.values()) {
                out.append(String.format("%17s", o));
            }
            out.append('\n');
            for (Op op : Op.values()) {
                out.append(String.format("%-11s", op));
                for (Outcome o : Outcome.values()) {
                    out.append(String.format("%17d", outcomes.getOrDefault(op, Map.of()).getOrDefault(o, 0L)));
                }
                out.append('\n');
            }
            out.append(String.format("%-11s", "total"));
            for (Outcome o : Outcome.values()) {
                out.append(String.format("%17d", count(o)));
            }
            out.append('\n');
            for (FaultRecord f : faults) {
                out.append(String.format("fault %-12s probe %-28s in %5d ms, recovered in %6d ms%n", f.fault(), f.probe(), f.probeMillis(),
                        f.recoveryMillis()));
            }
            out.append(violations.isEmpty() ? "invariants: all hold\n" : "INVARIANT VIOLATIONS:\n  " + String.join("\n  ", violations) + "\n");
            return out.toString();
        }
    }

    private record Held(String token, String jti, int depth) {
    }

    private static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    private static final String AT_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final String WORKLOAD_ISSUER = "https://spire.chaos.local";
    private static final String AUDIENCE = "https://orders.chaos.local";
    private static final String SCOPE = "orders:spend";
    private static final List<String> AGENTS = List.of("planner", "coder", "tester");

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final SecureRandom random = new SecureRandom();
    private final String adminToken = randomToken();
    private final ECKey workloadKey;
    private Postgres postgres;
    private Broker broker;
    private String rsSecret;

    private final AtomicLong operations = new AtomicLong();
    private final Map<Op, AtomicLongArray> outcomes = new ConcurrentHashMap<>();
    private final List<Held> held = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> issued = new ConcurrentHashMap<>();          // jti -> depth
    private final Set<String> issuedTokensSample = ConcurrentHashMap.newKeySet();
    private final Map<String, String> charged = new ConcurrentHashMap<>();          // idempotency key -> token
    private final Set<String> chargedKeys = ConcurrentHashMap.newKeySet();          // jti + " " + key
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicates = new AtomicLong();
    private final List<FaultRecord> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    public Chaos(Options options) throws Exception {
        this.options = options;
        this.workloadKey = new ECKeyGenerator(Curve.P_256).keyID("chaos-" + UUID.randomUUID()).generate();
        for (Op op : Op.values()) {
            outcomes.put(op, new AtomicLongArray(Outcome.values().length));
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path jar = Path.of(System.getProperty("chaos.broker-jar", "broker-service/target/mandate-broker.jar"));
        Path work = Files.createTempDirectory("mandate-chaos-");
        Options options = new Options(jar, work, args.length > 0 ? Integer.parseInt(args[0]) : 16,
                args.length > 1 ? Long.parseLong(args[1]) : 10_000, Duration.parse("PT" + (args.length > 2 ? args[2] : "5s")));
        Report report = new Chaos(options).run();
        System.out.print(report.render());
        System.exit(report.violations().isEmpty() ? 0 : 1);
    }

    public Report run() throws Exception {
        Files.createDirectories(options.workDir());
        int pgPort = freePort();
        int brokerPort = freePort();
        postgres = new Postgres(options.workDir().resolve("postgres"), pgPort);
        postgres.start();
        String masterKey = Base64.getEncoder().encodeToString(randomBytes(32));
        String url = "http://localhost:" + brokerPort;
        broker = new Broker(options.brokerJar(), options.workDir(), brokerPort, List.of(
                "--mandate.issuer=" + url,
                "--mandate.data-dir=" + options.workDir().resolve("broker-data"),
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--mandate.master-key=" + masterKey,
                "--mandate.admin-token=" + adminToken,
                "--mandate.rate-limit.enabled=false",
                "--mandate.keys.check-interval=2s",
                "--mandate.jwks.max-age=5s"));
        long started = System.nanoTime();
        try {
            log("broker started in " + broker.start().toMillis() + " ms (work dir " + options.workDir() + ")");
            setUpCatalog();
            AtomicBoolean stop = new AtomicBoolean();
            Set<Fault> happened = ConcurrentHashMap.newKeySet();
            ExecutorService threads = Executors.newFixedThreadPool(options.clients() + 1);
            List<Future<?>> running = new ArrayList<>();
            running.add(threads.submit(() -> {
                faults(stop, happened);
                return null;
            }));
            for (int i = 0; i < options.clients(); i++) {
                running.add(threads.submit(() -> {
                    while (operations.get() < options.operations() || happened.size() < Fault.values().length) {
                        operation();
                    }
                    return null;
                }));
            }
            for (int i = 1; i < running.size(); i++) {
                running.get(i).get();
            }
            stop.set(true);
            running.get(0).get();
            threads.shutdown();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            checkAfterwards();
            Map<Op, Map<Outcome, Long>> counts = new LinkedHashMap<>();
            for (Op op : Op.values()) {
                Map<Outcome, Long> row = new LinkedHashMap<>();
                for (Outcome o : Outcome.values()) {
                    row.put(o, outcomes.get(op).get(o.ordinal()));
                }
                counts.put(op, row);
            }
            return new Report(operations.get(), elapsed, counts, List.copyOf(faults), List.copyOf(problems), issued.size(),
                    chargedKeys.size(), revoked.size());
        } finally {
            broker.close();
            postgres.close();
        }
    }

    // ---- traffic -------------------------------------------------------------------------------

    private void operation() {
        int dice = ThreadLocalRandom.current().nextInt(100);
        Held target = pick();
        if (dice < 25 || target == null) {
            root();
        } else if (dice < 45) {
            delegate(target);
        } else if (dice < 70) {
            charge(target);
        } else if (dice < 77) {
            replay();
        } else if (dice < 92) {
            record(Op.INTROSPECT, post("/oauth2/introspect", Map.of("token", target.token()), basic()));
        } else {
            HttpResponse<String> response = post("/oauth2/revoke", Map.of("token", target.token(), "client_assertion_type", JWT_BEARER,
                    "client_assertion", workloadJwt("planner")), null);
            if (record(Op.REVOKE, response) == Outcome.OK_2XX) {
                revoked.add(target.jti());   // planner is at the root of every chain: 200 means revoked
            }
        }
    }

    private void root() {
        HttpResponse<String> response = post("/oauth2/token", Map.of("grant_type", GRANT, "subject_token", workloadJwt("planner"),
                "subject_token_type", JWT_TYPE, "audience", AUDIENCE, "scope", SCOPE, "budget", "50"), null);
        if (record(Op.ROOT, response) == Outcome.OK_2XX) {
            keep(response, 0);
        }
    }

    private void delegate(Held parent) {
        if (parent.depth() >= AGENTS.size() - 1) {
            root();
            return;
        }
        HttpResponse<String> response = post("/oauth2/token", Map.of("grant_type", GRANT, "subject_token", parent.token(),
                "subject_token_type", AT_TYPE, "actor_token", workloadJwt(AGENTS.get(parent.depth() + 1)), "actor_token_type", JWT_TYPE,
                "budget", "5"), null);
        if (record(Op.DELEGATE, response) == Outcome.OK_2XX) {
            keep(response, parent.depth() + 1);
        }
    }

    private void charge(Held target) {
        String key = "k-" + UUID.randomUUID();
        HttpResponse<String> response = usage(target.token(), key);
        if (record(Op.CHARGE, response) == Outcome.OK_2XX) {
            charged.put(key, target.token());
            chargedKeys.add(target.jti() + " " + key);
        }
    }

    private void replay() {
        List<String> keys = new ArrayList<>(charged.keySet().stream().limit(64).toList());
        if (keys.isEmpty()) {
            root();
            return;
        }
        String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
        HttpResponse<String> response = usage(charged.get(key), key);
        Outcome outcome = record(Op.REPLAY, response);
        if (outcome == Outcome.REFUSED_4XX) {
            problems.add("a replayed, already acknowledged charge was refused: " + response.statusCode() + " " + response.body());
        }
    }

    private HttpResponse<String> usage(String token, String key) {
        String body = "{\"token\":\"" + token + "\",\"amount\":1,\"idempotency_key\":\"" + key + "\"}";
        return send(HttpRequest.newBuilder(URI.create(broker.url() + "/v1/usage")).header("Content-Type", "application/json")
                .header("Authorization", basic()).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private void keep(HttpResponse<String> response, int depth) {
        try {
            String token = (String) JSONObjectUtils.parse(response.body()).get("access_token");
            String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
            if (issued.putIfAbsent(jti, depth) != null) {
                duplicates.incrementAndGet();
            }
            if (issuedTokensSample.size() < 200) {
                issuedTokensSample.add(token);
            }
            synchronized (held) {
                held.add(new Held(token, jti, depth));
                if (held.size() > 300) {
                    held.remove(0);
                }
            }
        } catch (java.text.ParseException e) {
            problems.add("a 200 from the token endpoint without a parseable token: " + e.getMessage());
        }
    }

    private Held pick() {
        synchronized (held) {
            return held.isEmpty() ? null : held.get(ThreadLocalRandom.current().nextInt(held.size()));
        }
    }

    private Outcome record(Op op, HttpResponse<String> response) {
        Outcome outcome = classify(response);
        if (outcome == Outcome.UNAVAILABLE_503 && response.headers().firstValue("Retry-After").isEmpty()) {
            problems.add(op + ": 503 without Retry-After");
        }
        if (outcome == Outcome.ERROR_5XX && problems.size() < 50) {
            problems.add(op + ": " + response.statusCode() + " " + response.body());
        }
        outcomes.get(op).incrementAndGet(outcome.ordinal());
        operations.incrementAndGet();
        // Clients back off like real ones: the broker is down or its database is; don't spin.
        try {
            if (outcome == Outcome.CONNECTION_LOST) {
                Thread.sleep(250);
            } else if (outcome == Outcome.UNAVAILABLE_503) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return outcome;
    }

    private static Outcome classify(HttpResponse<String> response) {
        if (response == null) {
            return Outcome.CONNECTION_LOST;
        }
        if (response.statusCode() == -2) {
            return Outcome.TIMEOUT;
        }
        int status = response.statusCode();
        if (status < 300) {
            return Outcome.OK_2XX;
        }
        if (status == 503) {
            return Outcome.UNAVAILABLE_503;
        }
        return status < 500 ? Outcome.REFUSED_4XX : Outcome.ERROR_5XX;
    }

    // ---- faults --------------------------------------------------------------------------------

    private void faults(AtomicBoolean stop, Set<Fault> happened) throws Exception {
        int next = 0;
        while (!stop.get()) {
            Thread.sleep(options.faultInterval().toMillis());
            if (stop.get()) {
                return;
            }
            Fault fault = Fault.values()[next++ % Fault.values().length];
            inject(fault);
            happened.add(fault);
        }
    }

    private void inject(Fault fault) throws Exception {
        switch (fault) {
            case DB_STALL -> {
                postgres.stall();
                Thread.sleep(300);
                Probe probe = probe();
                Thread.sleep(Math.max(0, 3000 - 300 - probe.millis()));
                postgres.resume();
                Duration recovered = broker.awaitReady(Duration.ofSeconds(60));
                faults.add(new FaultRecord(fault, probe.what(), probe.millis(), recovered == null ? -1 : recovered.toMillis()));
            }
            case DB_RESTART -> {
                postgres.stop();
                Probe probe = probe();
                Thread.sleep(2000);
                postgres.start();
                Duration recovered = broker.awaitReady(Duration.ofSeconds(60));
                faults.add(new FaultRecord(fault, probe.what(), probe.millis(), recovered == null ? -1 : recovered.toMillis()));
            }
            case BROKER_KILL -> {
                broker.kill();
                Duration restarted = broker.start();
                faults.add(new FaultRecord(fault, "SIGKILL, restart to ready", 0, restarted.toMillis()));
            }
            case KEY_ROTATION -> {
                long t = System.nanoTime();
                HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(broker.url() + "/admin/v1/keys/rotate"))
                        .header("Authorization", "Bearer " + adminToken).POST(HttpRequest.BodyPublishers.noBody()));
                faults.add(new FaultRecord(fault, "rotate -> " + (response == null ? "no answer" : response.statusCode()),
                        (System.nanoTime() - t) / 1_000_000, 0));
            }
        }
        log("fault " + faults.get(faults.size() - 1));
    }

    private record Probe(String what, long millis) {
    }

    /** One exchange during a database fault: what came back and how long it took. */
    private Probe probe() {
        long t = System.nanoTime();
        HttpResponse<String> response = post("/oauth2/token", Map.of("grant_type", GRANT, "subject_token", workloadJwt("planner"),
                "subject_token_type", JWT_TYPE, "audience", AUDIENCE, "scope", SCOPE), null);
        long millis = (System.nanoTime() - t) / 1_000_000;
        Outcome outcome = classify(response);
        if (outcome != Outcome.UNAVAILABLE_503) {
            problems.add("a token request during a database fault got " + outcome + (response == null ? "" : " " + response.body()));
        }
        return new Probe("token -> " + outcome, millis);
    }

    // ---- afterwards ----------------------------------------------------------------------------

    private void checkAfterwards() throws Exception {
        if (!broker.alive()) {
            broker.start();
        }
        broker.awaitReady(Duration.ofSeconds(60));
        // Keys decrypt after the kills: a new token is minted, and earlier ones still verify against the JWKS.
        HttpResponse<String> last = post("/oauth2/token", Map.of("grant_type", GRANT, "subject_token", workloadJwt("planner"),
                "subject_token_type", JWT_TYPE, "audience", AUDIENCE, "scope", SCOPE), null);
        if (last == null || last.statusCode() != 200) {
            problems.add("no token after the faults: " + (last == null ? "no answer" : last.statusCode() + " " + last.body()));
        }
        JWKSet jwks = JWKSet.parse(send(HttpRequest.newBuilder(URI.create(broker.url() + "/oauth2/jwks")).GET()).body());
        int unverifiable = 0;
        for (String token : issuedTokensSample) {
            SignedJWT jwt = SignedJWT.parse(token);
            JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
            boolean ok = key instanceof ECKey ec ? jwt.verify(new ECDSAVerifier(ec))
                    : key instanceof RSAKey rsa && jwt.verify(new RSASSAVerifier(rsa));
            if (!ok && jwt.getJWTClaimsSet().getExpirationTime().after(new Date())) {
                unverifiable++;
            }
        }
        if (unverifiable > 0) {
            problems.add(unverifiable + " unexpired issued tokens no longer verify against the JWKS");
        }
        HttpResponse<String> audit = send(HttpRequest.newBuilder(URI.create(broker.url() + "/admin/v1/audit/verify"))
                .header("Authorization", "Bearer " + adminToken).GET());
        if (audit == null || !audit.body().contains("\"intact\":true")) {
            problems.add("the audit trail does not verify: " + (audit == null ? "no answer" : audit.body()));
        }
        if (duplicates.get() > 0) {
            problems.add(duplicates.get() + " duplicate jti values were returned");
        }
        long errors = outcomes.values().stream().mapToLong(a -> a.get(Outcome.ERROR_5XX.ordinal()) + a.get(Outcome.TIMEOUT.ordinal())).sum();
        if (errors > 0) {
            problems.add(errors + " responses were 500s or hangs");
        }
        problems.addAll(Invariants.check(postgres, issued.keySet(), revoked, chargedKeys));
    }

    // ---- setup and HTTP ------------------------------------------------------------------------

    private void setUpCatalog() throws Exception {
        admin("/admin/v1/issuers", Map.of("id", "spire", "issuer", WORKLOAD_ISSUER, "algorithms", List.of("ES256"),
                "jwks", new JWKSet(workloadKey.toPublicJWK()).toJSONObject()));
        HttpResponse<String> rs = admin("/admin/v1/resource-servers", Map.of("id", "orders", "audience", AUDIENCE, "budget_unit", "calls"));
        rsSecret = (String) JSONObjectUtils.parse(rs.body()).get("client_secret");
        admin("/admin/v1/scopes", Map.of("name", SCOPE, "resource_server_id", "orders", "max_budget", 1000));
        for (int i = AGENTS.size() - 1; i >= 0; i--) {
            admin("/admin/v1/agents", Map.of("id", AGENTS.get(i), "issuer_id", "spire", "subject", "spiffe://chaos/" + AGENTS.get(i),
                    "allowed_scopes", List.of(SCOPE), "may_delegate_to", i + 1 < AGENTS.size() ? List.of(AGENTS.get(i + 1)) : List.of(),
                    "max_delegation_depth", 3));
        }
    }

    private HttpResponse<String> admin(String path, Map<String, Object> body) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(broker.url() + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + adminToken).POST(HttpRequest.BodyPublishers.ofString(JSONObjectUtils.toJSONString(body))));
        if (response == null || response.statusCode() != 201) {
            throw new IllegalStateException("setting up " + path + " failed: " + (response == null ? "no answer" : response.body()));
        }
        return response;
    }

    private String workloadJwt(String agent) {
        try {
            Instant now = Instant.now();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(workloadKey.getKeyID()).build(),
                    new JWTClaimsSet.Builder().issuer(WORKLOAD_ISSUER).subject("spiffe://chaos/" + agent).audience(broker.url())
                            .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).jwtID(UUID.randomUUID().toString())
                            .build());
            jwt.sign(new ECDSASigner(workloadKey));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("orders:" + rsSecret).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(String path, Map<String, String> form, String authorization) {
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.url() + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    /** Null when the connection failed or was cut (broker down); a status of -2 when it hung past 15 s. */
    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new TimedOut(request.build());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void log(String line) {
        System.out.println("[chaos] " + line);
    }

    private String randomToken() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stands for a request that got no answer within the client timeout: a hang. */
    private record TimedOut(HttpRequest request) implements HttpResponse<String> {
        public int statusCode() { return -2; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        public String body() { return "(no answer within 15 s)"; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return request.uri(); }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}
