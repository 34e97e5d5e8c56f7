package dev.mandate.broker.keys;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import com.nimbusds.jose.jwk.JWK;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The {@code signing_keys} table. Private parts are sealed with the master key, kid as associated data. */
final class SigningKeyStore {

    private static final Logger log = LoggerFactory.getLogger(SigningKeyStore.class);
    /** Serialises key transitions across broker instances sharing one database. */
    private static final long KEY_LOCK = 0x4d414e4441544531L;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final MasterKey masterKey;
    private final Clock clock;

    SigningKeyStore(JdbcClient jdbc, TransactionTemplate transactions, MasterKey masterKey, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.masterKey = masterKey;
        this.clock = clock;
    }

    /** Creates the first current key if none exists; exactly one instance does, under an advisory lock. */
    void ensureCurrentKey(String algorithm) {
        transactions.executeWithoutResult(tx -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(?)").param(KEY_LOCK).query().singleRow();
            boolean hasCurrent = jdbc.sql("SELECT count(*) FROM signing_keys WHERE state = 'current'")
                    .query(Long.class).single() > 0;
            if (!hasCurrent) {
                JWK key = SigningKeyGenerator.generate(algorithm);
                insert(key, algorithm, KeyState.CURRENT, clock.instant());
                log.info("Generated the first {} signing key, kid {}", algorithm, key.getKeyID());
            }
        });
    }

    /** The timings of the key lifecycle (SPEC §7). */
    record Lifecycle(String algorithm, java.time.Duration rotationInterval, java.time.Duration publishLead,
                     java.time.Duration retiredKeep) {
    }

    /**
     * Moves the lifecycle forward as of {@code now}, in one transaction under the key lock, so that
     * among instances sharing the database exactly one performs each transition:
     * a {@code next} key is created when rotation is due (or forced, or the configured algorithm
     * changed); it becomes {@code current} once it has been published for {@code publishLead}
     * (JWKS caches have refreshed); the old current is {@code retired} and removed, with its
     * encrypted private part, after {@code retiredKeep} (every token it signed has expired).
     *
     * @return what changed, for the log and the audit trail; empty when nothing did
     */
    List<String> advance(Instant now, Lifecycle lifecycle, boolean forceNext) {
        return transactions.execute(tx -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(?)").param(KEY_LOCK).query().singleRow();
            List<String> changes = new java.util.ArrayList<>();
            var rows = jdbc.sql("SELECT kid, alg, state, created_at, activated_at FROM signing_keys").query().listOfRows();
            var current = rows.stream().filter(r -> "current".equals(r.get("state"))).findFirst();
            var next = rows.stream().filter(r -> "next".equals(r.get("state"))).findFirst();
            boolean due = current.isPresent() && ((Timestamp) current.get().get("activated_at")).toInstant()
                    .plus(lifecycle.rotationInterval()).minus(lifecycle.publishLead()).compareTo(now) <= 0;
            boolean algorithmChanged = current.isPresent() && !lifecycle.algorithm().equals(current.get().get("alg"));
            if (next.isEmpty() && (forceNext || due || algorithmChanged)) {
                JWK key = SigningKeyGenerator.generate(SigningKeyGenerator.requireSupported(lifecycle.algorithm()));
                insert(key, lifecycle.algorithm(), KeyState.NEXT, now);
                changes.add("published next key " + key.getKeyID());
            } else if (next.isPresent()
                    && ((Timestamp) next.get().get("created_at")).toInstant().plus(lifecycle.publishLead()).compareTo(now) <= 0) {
                jdbc.sql("UPDATE signing_keys SET state = 'retired', retired_at = ? WHERE state = 'current'")
                        .param(Timestamp.from(now)).update();
                jdbc.sql("UPDATE signing_keys SET state = 'current', activated_at = ? WHERE state = 'next'")
                        .param(Timestamp.from(now)).update();
                changes.add("key " + next.get().get("kid") + " is now current");
            }
            List<String> removed = jdbc.sql("DELETE FROM signing_keys WHERE state = 'retired' AND retired_at <= ? RETURNING kid")
                    .param(Timestamp.from(now.minus(lifecycle.retiredKeep()))).query(String.class).list();
            removed.forEach(kid -> changes.add("removed retired key " + kid));
            return changes;
        });
    }

    private void insert(JWK key, String algorithm, KeyState state, Instant now) {
        MasterKey.Sealed sealed = masterKey.seal(key.toJSONString().getBytes(StandardCharsets.UTF_8), key.getKeyID());
        jdbc.sql("""
                INSERT INTO signing_keys (kid, alg, state, public_jwk, private_key_ciphertext, private_key_nonce,
                                          created_at, activated_at)
                VALUES (:kid, :alg, :state, :public, :ciphertext, :nonce, :created, :activated)""")
                .param("kid", key.getKeyID())
                .param("alg", algorithm)
                .param("state", state.dbValue())
                .param("public", key.toPublicJWK().toJSONString())
                .param("ciphertext", sealed.ciphertext())
                .param("nonce", sealed.nonce())
                .param("created", Timestamp.from(now))
                .param("activated", state == KeyState.CURRENT ? Timestamp.from(now) : null)
                .update();
    }

    /** Every published key, decrypted. A key that does not decrypt stops the caller. */
    List<SigningKey> loadPublished() {
        return jdbc.sql("""
                SELECT kid, alg, state, public_jwk, private_key_ciphertext, private_key_nonce,
                       created_at, activated_at, retired_at
                FROM signing_keys ORDER BY created_at, kid""")
                .query((rs, n) -> {
                    String kid = rs.getString("kid");
                    byte[] plaintext = masterKey.open(
                            new MasterKey.Sealed(rs.getBytes("private_key_nonce"), rs.getBytes("private_key_ciphertext")), kid);
                    JWK privateJwk = parse(plaintext, kid);
                    JWK stored = parsePublic(rs.getString("public_jwk"), kid);
                    if (!privateJwk.toPublicJWK().equals(stored) || !kid.equals(privateJwk.getKeyID())) {
                        throw new KeyDecryptionException(kid);
                    }
                    return new SigningKey(kid, rs.getString("alg"), KeyState.fromDb(rs.getString("state")), privateJwk,
                            instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("activated_at")),
                            instant(rs.getTimestamp("retired_at")));
                })
                .list();
    }

    private static JWK parse(byte[] json, String kid) {
        try {
            JWK jwk = JWK.parse(new String(json, StandardCharsets.UTF_8));
            if (!jwk.isPrivate()) {
                throw new KeyDecryptionException(kid);
            }
            return jwk;
        } catch (ParseException e) {
            throw new KeyDecryptionException(kid);
        }
    }

    private static JWK parsePublic(String json, String kid) {
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            throw new KeyDecryptionException(kid);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
