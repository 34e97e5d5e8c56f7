package dev.mandate.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import com.nimbusds.jose.jwk.JWK;
import dev.mandate.broker.support.StandaloneBroker;
import dev.mandate.broker.support.TestDatabase;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §7 and §9: keys are generated once, kept encrypted across restarts, and never replaced silently. */
class KeyPersistenceTest {

    @TempDir
    Path dataDir;

    @Test
    @DisplayName("a restart keeps the same kid, and the data directory and generated secrets are owner-only")
    void restartKeepsKid() throws Exception {
        String kid;
        try (var broker = StandaloneBroker.start(dataDir, Map.of())) {
            kid = currentKid(broker);
            assertThat(broker.bean(SigningKeys.class).current().kid()).isEqualTo(kid);
        }
        try (var broker = StandaloneBroker.start(dataDir, Map.of())) {
            assertThat(currentKid(broker)).isEqualTo(kid);
            assertThat(broker.jdbc().sql("SELECT count(*) FROM signing_keys").query(Long.class).single()).isEqualTo(1L);
        }
        assertThat(Files.getPosixFilePermissions(dataDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        for (String secret : new String[] {"master.key", "admin-token"}) {
            assertThat(Files.getPosixFilePermissions(dataDir.resolve(secret)))
                    .as(secret).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    @DisplayName("the private key is stored encrypted: neither the private scalar nor the JWK JSON is in the row")
    void storedEncrypted() {
        try (var broker = StandaloneBroker.start(dataDir, Map.of())) {
            JWK key = broker.bean(SigningKeys.class).current().privateJwk();
            var row = broker.jdbc().sql("SELECT private_key_ciphertext, private_key_nonce, public_jwk FROM signing_keys")
                    .query().singleRow();
            byte[] ciphertext = (byte[]) row.get("private_key_ciphertext");
            assertThat(new String(ciphertext, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .doesNotContain(key.toJSONObject().get("d").toString()).doesNotContain("\"kty\"");
            assertThat((byte[]) row.get("private_key_nonce")).hasSize(12);
            assertThat(row.get("public_jwk").toString()).doesNotContain("\"d\"");
        }
    }

    @Test
    @DisplayName("RS256 is selectable for new keys")
    void rs256() {
        try (var broker = StandaloneBroker.start(dataDir, Map.of("mandate.keys.algorithm", "RS256"))) {
            SigningKey key = broker.bean(SigningKeys.class).current();
            assertThat(key.privateJwk().getKeyType().getValue()).isEqualTo("RSA");
            assertThat(broker.jdbc().sql("SELECT alg FROM signing_keys").query(String.class).single()).isEqualTo("RS256");
        }
    }

    @Nested
    @DisplayName("a key that does not decrypt stops the broker and is never replaced")
    class Refusals {

        @Test
        @DisplayName("a corrupted ciphertext is refused at start")
        void corruptedCiphertext() {
            String kid;
            try (var broker = StandaloneBroker.start(dataDir, Map.of())) {
                kid = currentKid(broker);
                broker.jdbc().sql("""
                        UPDATE signing_keys SET private_key_ciphertext =
                            set_byte(private_key_ciphertext, 5, get_byte(private_key_ciphertext, 5) # 1)""").update();
            }
            assertThatThrownBy(() -> StandaloneBroker.start(dataDir, Map.of()))
                    .rootCause().isInstanceOf(KeyDecryptionException.class).hasMessageContaining(kid);
            assertThat(kidAfterRepairAttempt()).isEqualTo(kid);
        }

        @Test
        @DisplayName("a wrong master key is refused at start; the right one still works afterwards")
        void wrongMasterKey() {
            String right = TestDatabase.randomBase64(32);
            String kid;
            try (var broker = StandaloneBroker.start(dataDir, Map.of("mandate.master-key", right))) {
                kid = currentKid(broker);
            }
            assertThatThrownBy(() -> StandaloneBroker.start(dataDir, Map.of("mandate.master-key", TestDatabase.randomBase64(32))))
                    .rootCause().isInstanceOf(KeyDecryptionException.class)
                    .hasMessageContaining(kid).extracting(Throwable::getMessage, InstanceOfAssertFactories.STRING)
                    .doesNotContain(right);
            try (var broker = StandaloneBroker.start(dataDir, Map.of("mandate.master-key", right))) {
                assertThat(currentKid(broker)).isEqualTo(kid);
            }
        }

        @Test
        @DisplayName("a master key that is not base64 of 32 bytes is refused with a clear message")
        void malformedMasterKey() {
            assertThatThrownBy(() -> StandaloneBroker.start(dataDir, Map.of("mandate.master-key", TestDatabase.randomBase64(16))))
                    .rootCause().hasMessageContaining("exactly 32 bytes");
            assertThatThrownBy(() -> StandaloneBroker.start(dataDir, Map.of("mandate.master-key", "not base64 !")))
                    .rootCause().hasMessageContaining("not valid base64");
        }

        /** Counts keys with the database alone, because a broker with the bad key refuses to start. */
        private String kidAfterRepairAttempt() {
            var launcher = dev.mandate.broker.embeddedpg.EmbeddedPostgresLauncher.start(new dev.mandate.broker.datadir.DataDirectory(dataDir));
            try {
                var jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(
                        new org.springframework.jdbc.datasource.DriverManagerDataSource(launcher.jdbcUrl(), "postgres", ""));
                assertThat(jdbc.sql("SELECT count(*) FROM signing_keys").query(Long.class).single()).isEqualTo(1L);
                return jdbc.sql("SELECT kid FROM signing_keys").query(String.class).single();
            } finally {
                try {
                    launcher.close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    private static String currentKid(StandaloneBroker broker) {
        return broker.jdbc().sql("SELECT kid FROM signing_keys WHERE state = 'current'").query(String.class).single();
    }
}
