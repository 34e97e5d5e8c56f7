package dev.mandate.broker.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

import dev.mandate.broker.datadir.DataDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Admin bearer tokens (SPEC §2), stored as SHA-256: they are 256-bit random values, so a fast hash
 * is enough and a lookup by hash needs no constant-time compare of the token itself. The first token
 * comes from {@code MANDATE_ADMIN_TOKEN} or is generated on first start into an owner-only file in
 * the data directory; the log names the file, never the value.
 */
public final class AdminTokens {

    static final String GENERATED_FILE = "admin-token";
    static final int MIN_LENGTH = 32;
    private static final Logger log = LoggerFactory.getLogger(AdminTokens.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;

    AdminTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Applies the configured token (or generates the first one). Runs once at start. */
    void bootstrap(String configured, DataDirectory dataDirectory, TransactionTemplate transactions) {
        transactions.executeWithoutResult(tx -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(?)").param(0x4d414e4441444d4eL).query().singleRow();
            if (configured != null && !configured.isBlank()) {
                if (configured.length() < MIN_LENGTH) {
                    throw new IllegalStateException("MANDATE_ADMIN_TOKEN must be at least " + MIN_LENGTH
                            + " characters of random data (for example `openssl rand -base64 32`)");
                }
                jdbc.sql("DELETE FROM admin_tokens WHERE source = 'environment'").update();
                jdbc.sql("INSERT INTO admin_tokens (id, token_sha256, source) VALUES ('environment', ?, 'environment')")
                        .param(sha256(configured)).update();
                return;
            }
            // The variable was removed: the token it named must stop working.
            jdbc.sql("DELETE FROM admin_tokens WHERE source = 'environment'").update();
            long generated = jdbc.sql("SELECT count(*) FROM admin_tokens WHERE source = 'generated'")
                    .query(Long.class).single();
            if (generated > 0) {
                return;
            }
            String token = newToken();
            var file = dataDirectory.writeNewSecret(GENERATED_FILE, token);
            jdbc.sql("INSERT INTO admin_tokens (id, token_sha256, source) VALUES ('generated', ?, 'generated')")
                    .param(sha256(token)).update();
            log.info("Generated the first admin token into {} (readable only by its owner). "
                    + "Send it as 'Authorization: Bearer <token>' to /admin/v1.", file);
        });
    }

    /** Whether the presented bearer value is a known admin token. */
    boolean isValid(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 512) {
            return false;
        }
        return jdbc.sql("SELECT count(*) FROM admin_tokens WHERE token_sha256 = ?")
                .param(sha256(presented)).query(Long.class).single() > 0;
    }

    static String newToken() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
