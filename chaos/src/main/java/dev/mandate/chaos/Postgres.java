package dev.mandate.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The harness's own PostgreSQL (the broker runs against it as an external database), so the
 * harness can stop, start and stall it under a running broker: stop = fast shutdown, stall =
 * SIGSTOP of the postmaster and every backend (a frozen host), resume = SIGCONT.
 */
final class Postgres implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres postgres;

    Postgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    synchronized void start() throws IOException {
        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100").setServerConfig("listen_addresses", "localhost")
                .setServerConfig("unix_socket_directories", "").start();
    }

    synchronized void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    void stall() throws IOException {
        signal("-STOP");
    }

    void resume() throws IOException {
        signal("-CONT");
    }

    /** The postmaster first (so it cannot fork a backend the list misses), then every descendant. */
    private void signal(String signal) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        kill(signal, List.of(String.valueOf(postmaster)));
        List<String> children = new ArrayList<>();
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> children.add(String.valueOf(d.pid()))));
        if (!children.isEmpty()) {
            kill(signal, children);
        }
    }

    private static void kill(String signal, List<String> pids) throws IOException {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        command.addAll(pids);
        try {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            resume();
        } catch (IOException | RuntimeException ignored) {
            // not stalled
        }
        stop();
    }
}
