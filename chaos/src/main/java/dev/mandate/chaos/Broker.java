package dev.mandate.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real broker jar in its own JVM, on a fixed port and data directory against the harness's
 * PostgreSQL, so it can be killed with SIGKILL mid-traffic and started again.
 */
final class Broker implements AutoCloseable {

    private final Path jar;
    private final Path workDir;
    private final int port;
    private final List<String> arguments;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    Broker(Path jar, Path workDir, int port, List<String> arguments) {
        this.jar = jar;
        this.workDir = workDir;
        this.port = port;
        this.arguments = arguments;
    }

    String url() {
        return "http://localhost:" + port;
    }

    /** Starts the broker and waits until it is ready; returns the time that took. */
    synchronized Duration start() throws IOException, InterruptedException {
        long started = System.nanoTime();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + port);
        command.addAll(arguments);
        starts++;
        process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("broker.log").toFile())).start();
        Duration ready = awaitReady(Duration.ofSeconds(120));
        if (ready == null) {
            throw new IllegalStateException("the broker did not become ready; see " + workDir.resolve("broker.log"));
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** SIGKILL: no shutdown hooks, no graceful close; in-flight requests are cut. */
    synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
            process = null;
        }
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    int starts() {
        return starts;
    }

    /** Polls readiness every 100 ms; returns the time until it answered 200, or null on timeout. */
    Duration awaitReady(Duration limit) throws InterruptedException {
        long started = System.nanoTime();
        while (System.nanoTime() - started < limit.toNanos()) {
            Process p = process;
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException("the broker exited with " + p.exitValue() + "; see " + workDir.resolve("broker.log"));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - started);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
