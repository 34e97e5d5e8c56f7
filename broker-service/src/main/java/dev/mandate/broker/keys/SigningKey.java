package dev.mandate.broker.keys;

import java.time.Instant;

import com.nimbusds.jose.jwk.JWK;

/**
 * One decrypted signing key. {@code privateJwk} never leaves the process; {@link #publicJwk()} is
 * what JWKS shows.
 */
public record SigningKey(String kid, String algorithm, KeyState state, JWK privateJwk, Instant createdAt,
                         Instant activatedAt, Instant retiredAt) {

    public SigningKey {
        java.util.Objects.requireNonNull(kid);
        java.util.Objects.requireNonNull(algorithm);
        java.util.Objects.requireNonNull(state);
        java.util.Objects.requireNonNull(privateJwk);
    }

    public JWK publicJwk() {
        return privateJwk.toPublicJWK();
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + ", alg=" + algorithm + ", state=" + state + "]";
    }
}
