package dev.mandate.broker.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Stalls and resumes a PostgreSQL (postmaster and every backend) with SIGSTOP/SIGCONT, like a hung host. */
final class PostgresProcesses {

    private final long postmaster;

    PostgresProcesses(Path pgData) throws IOException {
        this.postmaster = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
    }

    void stall() {
        signal("-STOP");
    }

    void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        List<String> command = new ArrayList<>(List.of("kill", signal, String.valueOf(postmaster)));
        ProcessHandle.of(postmaster).orElseThrow(() -> new IllegalStateException("no postmaster " + postmaster))
                .descendants().forEach(p -> command.add(String.valueOf(p.pid())));
        try {
            int rc = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + rc);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
