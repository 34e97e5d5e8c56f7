package dev.mandate.broker.keys;

import java.util.List;
import java.util.Optional;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * The broker's signing keys as this instance knows them: the current key that signs, and every
 * published key (next, current, retired) whose public part JWKS serves. Held in memory, so JWKS
 * and metadata keep being served while the database is down.
 */
public final class SigningKeys {

    private final SigningKeyStore store;
    private volatile Snapshot snapshot;

    SigningKeys(SigningKeyStore store, String algorithm) {
        this.store = store;
        store.ensureCurrentKey(SigningKeyGenerator.requireSupported(algorithm));
        reload();
    }

    /** Re-reads the keys from the database (every key must decrypt, or this throws). */
    public void reload() {
        List<SigningKey> keys = List.copyOf(store.loadPublished());
        SigningKey current = keys.stream().filter(k -> k.state() == KeyState.CURRENT).findFirst()
                .orElseThrow(() -> new IllegalStateException("no current signing key in the database"));
        JWKSet published = new JWKSet(keys.stream().map(SigningKey::publicJwk).toList());
        this.snapshot = new Snapshot(current, keys, published);
    }

    /** The key that signs tokens now. */
    public SigningKey current() {
        return snapshot.current();
    }

    /** Public parts of every published key. */
    public JWKSet publicJwkSet() {
        return snapshot.published();
    }

    public List<SigningKey> all() {
        return snapshot.all();
    }

    public Optional<JWK> publicKey(String kid) {
        return Optional.ofNullable(snapshot.published().getKeyByKeyId(kid));
    }

    private record Snapshot(SigningKey current, List<SigningKey> all, JWKSet published) {
    }
}
