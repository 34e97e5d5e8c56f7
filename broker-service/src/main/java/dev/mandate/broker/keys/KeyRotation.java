package dev.mandate.broker.keys;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.mandate.broker.MandateProperties;
import dev.mandate.broker.audit.AuditEvent;
import dev.mandate.broker.audit.AuditTrail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.dao.DataAccessException;

/**
 * Runs the key lifecycle of SPEC §7 on every instance: each check advances it (one instance wins
 * each transition, under the database lock) and reloads the published keys, so every instance
 * signs with the agreed current key within one check interval and serves every published key.
 *
 * <p>Timings: a {@code next} key is published for JWKS max-age + one check interval + 60 s before
 * it signs, so resource servers that cache the JWKS for its max-age, and instances that have not
 * reloaded yet, already know it; a retired key stays published for the longest token lifetime +
 * one check interval + 60 s, so every token it signed expires first.
 */
public final class KeyRotation implements ApplicationListener<ApplicationReadyEvent>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);
    private static final Duration MARGIN = Duration.ofSeconds(60);

    private final SigningKeyStore store;
    private final SigningKeys keys;
    private final AuditTrail audit;
    private final Clock clock;
    private final SigningKeyStore.Lifecycle lifecycle;
    private final Duration checkInterval;
    private ScheduledExecutorService scheduler;

    KeyRotation(SigningKeyStore store, SigningKeys keys, AuditTrail audit, Clock clock, MandateProperties properties) {
        this.store = store;
        this.keys = keys;
        this.audit = audit;
        this.clock = clock;
        this.checkInterval = properties.keys().checkInterval();
        this.lifecycle = lifecycle(properties);
    }

    static SigningKeyStore.Lifecycle lifecycle(MandateProperties properties) {
        Duration check = properties.keys().checkInterval();
        return new SigningKeyStore.Lifecycle(properties.keys().algorithm(), properties.keys().rotationInterval(),
                properties.jwks().maxAge().plus(check).plus(MARGIN), properties.maxTokenTtl().plus(check).plus(MARGIN));
    }

    /** One lifecycle check: advance (possibly forcing a new next key) and reload. */
    public List<String> check(boolean forceNext) {
        List<String> changes = store.advance(clock.instant(), lifecycle, forceNext);
        for (String change : changes) {
            log.info("Signing keys: {}", change);
            audit.append(AuditEvent.success("keys.lifecycle").actor(forceNext ? "admin" : "scheduler")
                    .details(Map.of("change", change)).build());
        }
        keys.reload();
        return changes;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "mandate-key-rotation");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, checkInterval.toMillis());
        scheduler.scheduleWithFixedDelay(this::scheduledCheck, 0, period, TimeUnit.MILLISECONDS);
    }

    private void scheduledCheck() {
        try {
            check(false);
        } catch (DataAccessException e) {
            log.warn("Key lifecycle check skipped: database unavailable ({}); still signing with {}",
                    e.getClass().getSimpleName(), keys.current().kid());
        } catch (RuntimeException e) {
            log.error("Key lifecycle check failed; still signing with {}", keys.current().kid(), e);
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
