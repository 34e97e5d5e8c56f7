package dev.mandate.broker.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.SecretKey;

import dev.mandate.broker.keys.MasterKey;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Checks resource-server secrets. Secrets are random 256-bit values, so a keyed hash is the right
 * tool (not bcrypt, which exists for guessable passwords and would cost ~70 ms of CPU per call):
 * the database holds HMAC-SHA-256(secret) under a key derived from the master key, compared in
 * constant time. During a rotation's overlap the previous secret is accepted too.
 */
public final class ResourceServerSecrets {

    public static final String KEY_PURPOSE = "resource-server-secret";

    private final JdbcClient jdbc;
    private final SecretKey key;
    private final Clock clock;

    public ResourceServerSecrets(JdbcClient jdbc, MasterKey masterKey, Clock clock) {
        this.jdbc = jdbc;
        this.key = masterKey.deriveKey(KEY_PURPOSE);
        this.clock = clock;
    }

    public byte[] hmac(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    /** The resource server's audience when the id and secret match; empty otherwise. */
    public Optional<String> authenticate(String id, String secret) {
        if (id == null || secret == null || id.length() > 64 || secret.length() > 256) {
            return Optional.empty();
        }
        byte[] presented = hmac(secret);
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.sql("""
                SELECT audience, secret_hmac, previous_secret_hmac, previous_secret_valid_until
                FROM resource_servers WHERE id = ?""").param(id)
                .query((rs, n) -> {
                    boolean current = MessageDigest.isEqual(presented, rs.getBytes("secret_hmac"));
                    byte[] previous = rs.getBytes("previous_secret_hmac");
                    Timestamp until = rs.getTimestamp("previous_secret_valid_until");
                    boolean overlap = previous != null && until != null && until.after(now)
                            && MessageDigest.isEqual(presented, previous);
                    return current || overlap ? rs.getString("audience") : null;
                })
                .optional();
    }
}
