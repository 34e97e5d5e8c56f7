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

    /**
     * The postmaster first, so that it cannot fork a backend after the list of its children was
     * taken (the pool may be opening connections right now); then every descendant.
     */
    private void signal(String signal) {
        ProcessHandle postmasterProcess = ProcessHandle.of(postmaster)
                .orElseThrow(() -> new IllegalStateException("no postmaster " + postmaster));
        kill(signal, List.of(String.valueOf(postmaster)));
        List<String> children = new ArrayList<>();
        postmasterProcess.descendants().forEach(p -> children.add(String.valueOf(p.pid())));
        if (!children.isEmpty()) {
            kill(signal, children);
        }
    }

    private static void kill(String signal, List<String> pids) {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        command.addAll(pids);
        try {
            // A backend that exits meanwhile makes kill report it; the others are still signalled.
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
