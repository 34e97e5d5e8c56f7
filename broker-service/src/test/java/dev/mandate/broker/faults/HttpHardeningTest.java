package dev.mandate.broker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.mandate.broker.support.Catalog;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestDatabase;
import dev.mandate.broker.support.TestWorkloadIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SECURITY.md "HTTP" and issue 10's hardening: refusal rate limit per client address, slow
 * uploads, slow headers, header and parameter limits. One broker with small limits so the test
 * is quick: 5 refusals per minute, 2 s per body, 1 s of connection silence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpHardeningTest {

    Path dataDir;
    TestWorkloadIssuer spire;
    StandaloneBroker broker;
    BrokerCalls calls;
    String read;
    String audience = "https://orders.hard.example";

    @BeforeAll
    void start() throws IOException {
        dataDir = Files.createTempDirectory("mandate-hardening-");
        spire = new TestWorkloadIssuer("spire-hard");
        Map<String, String> properties = new java.util.LinkedHashMap<>(TestDatabase.properties());
        properties.putAll(Map.of("mandate.rate-limit.refusals", "5", "mandate.rate-limit.period", "60s",
                "mandate.http.body-read-timeout", "2s", "server.tomcat.connection-timeout", "1s"));
        broker = StandaloneBroker.start(dataDir, properties);
        Catalog catalog = new Catalog(broker.jdbc(), "hard");
        String issuer = catalog.issuerInline("spire", spire, null);
        String rs = catalog.resourceServer("orders", audience, "calls");
        read = catalog.scope("read", rs, 300, 900, null, true);
        catalog.agent("planner", issuer, "spiffe://hard/planner", List.of(read), List.of(), 3, true);
        calls = new BrokerCalls(broker.port(), rs, "unused");
    }

    @AfterAll
    void stop() {
        broker.close();
        spire.close();
    }

    String validJwt() {
        return spire.mint("spiffe://hard/planner", "http://localhost:" + broker.port());
    }

    long auditEvents() {
        return broker.jdbc().sql("SELECT count(*) FROM audit_events").query(Long.class).single();
    }

    @Test
    @DisplayName("a flood of invalid workload JWTs from one address: 5 refusals, then 429 + Retry-After with nothing audited; another address is unaffected")
    void refusalRateLimit() throws Exception {
        String forged = validJwt();
        forged = forged.substring(0, forged.length() - 6) + "AAAAAA";   // signature no longer verifies
        // From 127.0.0.3 so that the other tests (127.0.0.1) keep their budget.
        for (int i = 0; i < 5; i++) {
            RawResponse refused = RawHttp.post(broker.port(), "127.0.0.3", "/oauth2/token", exchangeForm(forged));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("signature does not verify");
        }
        long audited = auditEvents();
        for (String jwt : List.of(forged, validJwt())) {
            RawResponse limited = RawHttp.post(broker.port(), "127.0.0.3", "/oauth2/token", exchangeForm(jwt));
            assertThat(limited.status()).as(limited.body()).isEqualTo(429);
            assertThat(limited.body()).contains("\"error\":\"slow_down\"").doesNotContain("access_token");
            assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);
        }
        assertThat(auditEvents()).as("429s are not audited (that would let a flood fill the trail)").isEqualTo(audited);

        RawResponse elsewhere = RawHttp.post(broker.port(), "127.0.0.4", "/oauth2/token", exchangeForm(validJwt()));
        assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(200);
    }

    String exchangeForm(String jwt) {
        return "grant_type=" + enc(BrokerCalls.GRANT) + "&subject_token=" + jwt + "&subject_token_type=" + enc(BrokerCalls.JWT_TYPE)
                + "&audience=" + enc(audience) + "&scope=" + enc(read);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("slow upload: a body dripping one byte every 300 ms gets 408 and the connection closed after the body deadline")
    void slowUpload() throws Exception {
        String body = exchangeForm(validJwt());
        try (Socket socket = RawHttp.connect(broker.port(), "127.0.0.5")) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            RawResponse response = null;
            socket.setSoTimeout(300);
            for (int i = 0; i < body.length() && response == null; i++) {
                try {
                    out.write(body.charAt(i));
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                response = RawHttp.tryRead(socket);
            }
            if (response == null) {
                socket.setSoTimeout(5000);
                response = RawHttp.read(socket.getInputStream());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.status()).as(response.body()).isEqualTo(408);
            assertThat(took).isLessThan(Duration.ofSeconds(10));
            System.out.printf("slow upload cut off after %d ms%n", took.toMillis());
        }
    }

    @Test
    @DisplayName("a body that stops arriving: 408 after the connection timeout, not a held thread")
    void stalledBody() throws Exception {
        try (Socket socket = RawHttp.connect(broker.port(), "127.0.0.6")) {
            socket.getOutputStream().write(("POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ngrant_type=")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            RawResponse response = RawHttp.read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(408);
        }
    }

    @Test
    @DisplayName("slow headers (slowloris): the server closes the connection after the connection timeout")
    void slowHeaders() throws Exception {
        try (Socket socket = RawHttp.connect(broker.port(), "127.0.0.7")) {
            socket.getOutputStream().write("POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nX-Slow: a".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            long started = System.nanoTime();
            InputStream in = socket.getInputStream();
            int first;
            try {
                first = in.read();
                while (first >= 0) {
                    first = in.read();   // an error page may come first; then the close
                }
            } catch (IOException reset) {
                first = -1;
            }
            assertThat(first).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    @DisplayName("header limits: 100 headers or a 16 KiB header get 400 before the broker's code runs")
    void headerLimits() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("X-Extra-").append(i).append(": v\r\n");
        }
        assertThat(RawHttp.request(broker.port(), "127.0.0.8", "GET /oauth2/jwks HTTP/1.1\r\nHost: localhost\r\n" + many
                + "Connection: close\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.request(broker.port(), "127.0.0.8", "GET /oauth2/jwks HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(16 * 1024) + "\r\nConnection: close\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.request(broker.port(), "127.0.0.8", "GET /oauth2/jwks HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("more than 32 form parameters: 400 invalid_request")
    void parameterCount() throws Exception {
        StringBuilder form = new StringBuilder(exchangeForm(validJwt()));
        for (int i = 0; i < 40; i++) {
            form.append("&p").append(i).append("=x");
        }
        RawResponse response = RawHttp.post(broker.port(), "127.0.0.9", "/oauth2/token", form.toString());
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("invalid_request").contains("more than 32 parameters");
    }

    record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** HTTP/1.1 over a socket bound to a chosen loopback address (the JDK client cannot pick its source). */
    static final class RawHttp {

        static Socket connect(int port, String from) throws IOException {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            return socket;
        }

        static RawResponse post(int port, String from, String path, String form) throws IOException {
            return request(port, from, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + form.length() + "\r\nConnection: close\r\n\r\n" + form);
        }

        static RawResponse request(int port, String from, String raw) throws IOException {
            try (Socket socket = connect(port, from)) {
                socket.setSoTimeout(10_000);
                try {
                    socket.getOutputStream().write(raw.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the server may answer and close before reading everything
                }
                return read(socket.getInputStream());
            }
        }

        static RawResponse tryRead(Socket socket) throws IOException {
            try {
                InputStream in = socket.getInputStream();
                int first = in.read();
                if (first < 0) {
                    return new RawResponse(-1, Map.of(), "");
                }
                socket.setSoTimeout(5000);
                return read(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(new byte[]{(byte) first}), in));
            } catch (SocketTimeoutException nothingYet) {
                return null;
            }
        }

        static RawResponse read(InputStream in) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            try {
                while ((n = in.read(buffer)) >= 0) {
                    all.write(buffer, 0, n);
                    String text = all.toString(StandardCharsets.ISO_8859_1);
                    int end = text.indexOf("\r\n\r\n");
                    if (end >= 0) {
                        Map<String, String> headers = headers(text.substring(0, end));
                        String length = headers.get("content-length");
                        if (length != null && text.length() - end - 4 >= Integer.parseInt(length)) {
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                // a reset after the response: keep what arrived
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            if (text.isEmpty()) {
                return new RawResponse(-1, Map.of(), "");
            }
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            int status = Integer.parseInt(head.split(" ")[1]);
            return new RawResponse(status, headers(head), end < 0 ? "" : text.substring(end + 4));
        }

        private static Map<String, String> headers(String head) {
            Map<String, String> headers = new java.util.HashMap<>();
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            return headers;
        }
    }
}
