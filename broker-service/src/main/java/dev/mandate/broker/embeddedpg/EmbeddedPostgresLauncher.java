package dev.mandate.broker.embeddedpg;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import dev.mandate.broker.datadir.DataDirectory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts (and on close stops) a real PostgreSQL whose data lives in {@code <data dir>/postgres},
 * so it survives restarts of the broker (SPEC §9).
 */
public final class EmbeddedPostgresLauncher implements Closeable {

    public static final String DATABASE = "mandate";
    public static final String USER = "postgres";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresLauncher.class);

    private final EmbeddedPostgres postgres;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private EmbeddedPostgresLauncher(EmbeddedPostgres postgres, FileChannel lockChannel, FileLock lock) {
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static EmbeddedPostgresLauncher start(DataDirectory dataDirectory) {
        Path root = dataDirectory.ensureExists();
        FileChannel channel = null;
        try {
            // One broker per data directory: the lock is held until close().
            channel = FileChannel.open(root.resolve("broker.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("another Mandate broker is using the data directory " + root);
            }
            Path pgData = root.resolve("postgres");
            stopOrphanedPostmaster(pgData);

            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // zonky defaults to fsync and synchronous_commit off; a token broker needs both on.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("unix_socket_directories", "");
            // As root, zonky runs initdb/pg_ctl under `unshare -U` itself (PostgreSQL refuses uid 0).
            long started = System.nanoTime();
            EmbeddedPostgres postgres = builder.start();
            ensureDatabase(postgres);
            log.info("Embedded PostgreSQL ready on localhost:{} with data in {} ({} ms)", postgres.getPort(), pgData,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return new EmbeddedPostgresLauncher(postgres, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + root, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public int port() {
        return postgres.getPort();
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            postgres.close();
        } finally {
            lock.release();
            lockChannel.close();
        }
    }

    private static void ensureDatabase(EmbeddedPostgres postgres) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the database " + DATABASE, e);
        }
    }

    /**
     * A broker killed with SIGKILL leaves its postmaster running. We hold the data directory's
     * lock, so a postmaster still listed in postmaster.pid is an orphan of ours: stop it.
     */
    private static void stopOrphanedPostmaster(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> orphan = Files.readAllLines(pidFile).stream().findFirst()
                .map(String::trim).filter(s -> s.matches("\\d+")).map(Long::parseLong)
                .flatMap(ProcessHandle::of)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (orphan.isEmpty()) {
            return;
        }
        log.warn("Stopping an orphaned PostgreSQL (pid {}) left by a broker that did not shut down", orphan.get().pid());
        orphan.get().destroy();
        try {
            orphan.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("an orphaned PostgreSQL (pid " + orphan.get().pid() + ") did not stop", e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
