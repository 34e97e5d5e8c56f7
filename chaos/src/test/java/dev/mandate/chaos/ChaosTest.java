package dev.mandate.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fault harness as a test. CI runs the short version (pom properties chaos.clients=8,
 * chaos.operations=1500, a fault every 5 s, each fault kind at least once); the long soak is
 * the same test with -Dchaos.clients=16 -Dchaos.operations=10000 (README "Faults").
 */
class ChaosTest {

    @Test
    @DisplayName("mixed traffic through PostgreSQL stalls and restarts, broker SIGKILLs and key rotations: invariants hold, no 500, no hang")
    void soak() throws Exception {
        Path jar = Path.of(System.getProperty("chaos.broker-jar", "../broker-service/target/mandate-broker.jar"));
        assertThat(jar).as("build the broker first (./mvnw -B install -DskipTests)").exists();
        Path work = Path.of(System.getProperty("chaos.work-dir", "target/chaos"));
        Files.createDirectories(work);
        Path run = Files.createTempDirectory(work, "run-");
        Chaos.Options options = new Chaos.Options(jar, run, Integer.getInteger("chaos.clients", 8),
                Long.getLong("chaos.operations", 1500), Duration.parse("PT" + System.getProperty("chaos.fault-interval", "5s")));
        Chaos.Report report = new Chaos(options).run();
        System.out.print(report.render());
        Files.writeString(run.resolve("report.txt"), report.render());

        assertThat(report.violations()).isEmpty();
        assertThat(report.count(Chaos.Outcome.ERROR_5XX)).isZero();
        assertThat(report.count(Chaos.Outcome.TIMEOUT)).isZero();
        assertThat(report.operations()).isGreaterThanOrEqualTo(options.operations());
        assertThat(report.faults()).extracting(Chaos.FaultRecord::fault).contains(Chaos.Fault.values());
        assertThat(report.count(Chaos.Outcome.OK_2XX)).isPositive();
    }
}
