package dev.mandate.broker.keys;

/** A signing key that does not decrypt: wrong master key or corrupted row. Never replaced silently. */
public final class KeyDecryptionException extends IllegalStateException {

    KeyDecryptionException(String kid) {
        super("signing key " + kid + " cannot be decrypted with the configured master key: either the master key "
                + "is not the one that encrypted it or the stored key is corrupted. The broker refuses to start and "
                + "does not replace the key; restore the right master key (MANDATE_MASTER_KEY or master.key in the "
                + "data directory) or the key row.");
    }
}
