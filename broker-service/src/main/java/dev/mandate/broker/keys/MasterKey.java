package dev.mandate.broker.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.mandate.broker.datadir.DataDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master key (SPEC §7): 32 bytes from {@code MANDATE_MASTER_KEY} or, in embedded mode, a
 * generated owner-only file in the data directory. It seals signing keys with AES-256-GCM and
 * derives purpose-bound keys (HMAC-SHA-256 over a label) for other secrets. Its value is never
 * logged, printed or put in an error.
 */
public final class MasterKey {

    static final String FILE_NAME = "master.key";
    private static final Logger log = LoggerFactory.getLogger(MasterKey.class);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    private MasterKey(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
    }

    /**
     * @param configured the configured base64 value, blank if none
     * @param embedded   whether the broker runs its own PostgreSQL (only then may it generate one)
     */
    public static MasterKey load(String configured, boolean embedded, DataDirectory dataDirectory) {
        if (configured != null && !configured.isBlank()) {
            return new MasterKey(decode(configured.trim(), "MANDATE_MASTER_KEY"));
        }
        if (!embedded) {
            throw new IllegalStateException("MANDATE_MASTER_KEY is required when the broker uses an external "
                    + "database: set it to the base64 encoding of 32 random bytes (for example `openssl rand -base64 32`)");
        }
        var existing = dataDirectory.readSecret(FILE_NAME);
        if (existing.isPresent()) {
            return new MasterKey(decode(existing.get(), dataDirectory.resolve(FILE_NAME).toString()));
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        var file = dataDirectory.writeNewSecret(FILE_NAME, Base64.getEncoder().encodeToString(raw));
        log.info("Generated a master key in {} (owner-only). Back it up: without it the signing keys cannot be decrypted.", file);
        return new MasterKey(raw);
    }

    private static byte[] decode(String base64, String source) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " is not valid base64; it must encode exactly 32 bytes "
                    + "(for example `openssl rand -base64 32`)");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(source + " must encode exactly 32 bytes, not " + raw.length
                    + " (for example `openssl rand -base64 32`)");
        }
        return raw;
    }

    /** Encrypts with a fresh 96-bit nonce; {@code associatedData} (the kid) is bound to the ciphertext. */
    Sealed seal(byte[] plaintext, String associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new Sealed(nonce, cipher.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** Decrypts, or throws {@link KeyDecryptionException} if the ciphertext, nonce, kid or key do not match. */
    byte[] open(Sealed sealed, String associatedData) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new KeyDecryptionException(associatedData);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyDecryptionException(associatedData);
        }
    }

    /** A key for one purpose, derived so that no two uses ever share key material. */
    public SecretKey deriveKey(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            byte[] derived = mac.doFinal(("mandate/" + purpose).getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(derived, "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    record Sealed(byte[] nonce, byte[] ciphertext) {
    }

    @Override
    public String toString() {
        return "MasterKey[redacted]";
    }
}
