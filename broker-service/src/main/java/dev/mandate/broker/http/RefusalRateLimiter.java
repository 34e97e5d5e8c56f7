package dev.mandate.broker.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-client refusal budget of the OAuth endpoints (SECURITY.md: a flood of invalid workload JWTs
 * must not burn CPU on signature checks). Each client address has a token bucket (Bucket4j) of
 * {@code refusals} permits refilled over {@code period}; every refused request takes one, and an
 * address with none left is answered 429 before its request is parsed or any signature checked.
 * Successful requests take nothing, so a well-behaved agent is never limited. At most
 * {@code trackedClients} addresses are tracked (Caffeine, least recently used forgotten first,
 * idle ones dropped after a period), so memory stays bounded under a spoofed-source flood.
 */
public final class RefusalRateLimiter {

    private static final Logger log = LoggerFactory.getLogger(RefusalRateLimiter.class);

    private final int refusals;
    private final Duration period;
    private final Cache<String, Bucket> buckets;

    private RefusalRateLimiter() {
        this.refusals = 0;
        this.period = Duration.ZERO;
        this.buckets = null;
    }

    /** {@code mandate.rate-limit.enabled=false}: never limits. */
    public static RefusalRateLimiter disabled() {
        return new RefusalRateLimiter();
    }

    public RefusalRateLimiter(int refusals, Duration period, int trackedClients) {
        if (refusals < 1 || period.isZero() || period.isNegative() || trackedClients < 1) {
            throw new IllegalArgumentException("mandate.rate-limit needs refusals >= 1, a positive period and tracked-clients >= 1");
        }
        this.refusals = refusals;
        this.period = period;
        this.buckets = Caffeine.newBuilder().maximumSize(trackedClients)
                .expireAfterAccess(period.toNanos() * 2, TimeUnit.NANOSECONDS).build();
    }

    /** Seconds the client must wait before its next request is looked at; 0 when it may go ahead. */
    public long retryAfterSeconds(String client) {
        Bucket bucket = buckets == null ? null : buckets.getIfPresent(client);
        if (bucket == null) {
            return 0;
        }
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
    }

    /** Records one refusal for the client. */
    public void refused(String client) {
        if (buckets == null) {
            return;
        }
        Bucket bucket = buckets.get(client, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(refusals).refillGreedy(refusals, period)).build());
        if (bucket.tryConsume(1) && bucket.getAvailableTokens() == 0) {
            log.warn("Client {} used up its {} refusals per {}; its OAuth requests get 429 until permits refill",
                    client, refusals, period);
        }
    }
}
