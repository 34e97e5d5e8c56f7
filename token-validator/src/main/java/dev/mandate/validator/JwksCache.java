package dev.mandate.validator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * The broker's public keys, found through its RFC 8414 metadata, kept for the JWKS
 * {@code Cache-Control: max-age}, and refetched early on an unknown {@code kid} at most once per
 * {@code minRefreshInterval} (a flood of tokens with made-up kids cannot make us hammer the broker).
 * The last good set keeps serving when the broker cannot be reached.
 */
final class JwksCache {

    private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");

    private final String issuer;
    private final HttpClient http;
    private final Clock clock;
    private final Duration defaultMaxAge;
    private final Duration minRefreshInterval;
    private final Duration timeout;
    private volatile URI jwksUri;
    private volatile JWKSet keys;
    private volatile Instant expiresAt = Instant.MIN;
    private volatile Instant lastFetch = Instant.MIN;

    JwksCache(String issuer, HttpClient http, Clock clock, Duration defaultMaxAge, Duration minRefreshInterval, Duration timeout) {
        this.issuer = issuer;
        this.http = http;
        this.clock = clock;
        this.defaultMaxAge = defaultMaxAge;
        this.minRefreshInterval = minRefreshInterval;
        this.timeout = timeout;
    }

    /** The key for {@code kid}, fetching when the cache is stale or (rate-limited) when the kid is new. */
    Optional<JWK> key(String kid) throws InvalidTokenException {
        Instant now = clock.instant();
        if (keys == null || now.isAfter(expiresAt)) {
            refresh(now, keys == null);
        }
        JWK key = keys == null ? null : keys.getKeyByKeyId(kid);
        if (key == null && Duration.between(lastFetch, now).compareTo(minRefreshInterval) >= 0) {
            refresh(now, false);
            key = keys.getKeyByKeyId(kid);
        }
        return Optional.ofNullable(key);
    }

    private synchronized void refresh(Instant now, boolean required) throws InvalidTokenException {
        if (keys != null && !now.isAfter(expiresAt) && Duration.between(lastFetch, now).compareTo(minRefreshInterval) < 0) {
            return;   // another thread refreshed meanwhile
        }
        lastFetch = now;
        try {
            if (jwksUri == null) {
                Map<String, Object> metadata = JSONObjectUtils.parse(get(URI.create(issuer + "/.well-known/oauth-authorization-server")).body());
                if (!issuer.equals(metadata.get("issuer")) || !(metadata.get("jwks_uri") instanceof String uri)) {
                    throw new InvalidTokenException(InvalidTokenException.Reason.KEYS_UNAVAILABLE,
                            "the broker's metadata does not name this issuer or a jwks_uri");
                }
                jwksUri = URI.create(uri);
            }
            HttpResponse<String> response = get(jwksUri);
            JWKSet set = JWKSet.parse(response.body());
            Duration maxAge = response.headers().firstValue("Cache-Control").map(MAX_AGE::matcher).filter(Matcher::find)
                    .map(m -> Duration.ofSeconds(Long.parseLong(m.group(1)))).orElse(defaultMaxAge);
            keys = set.toPublicJWKSet();
            expiresAt = now.plus(maxAge);
        } catch (IOException | ParseException | RuntimeException e) {
            if (required || keys == null) {
                throw new InvalidTokenException(InvalidTokenException.Reason.KEYS_UNAVAILABLE, "the broker's keys cannot be fetched");
            }
            // keep serving the last good set; try again after minRefreshInterval
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidTokenException(InvalidTokenException.Reason.KEYS_UNAVAILABLE, "interrupted");
        }
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + uri);
        }
        return response;
    }
}
