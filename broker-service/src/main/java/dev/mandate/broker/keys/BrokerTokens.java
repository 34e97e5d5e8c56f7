package dev.mandate.broker.keys;

import java.text.ParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signs access tokens with the current key (header {@code typ: at+jwt}, RFC 9068 §2.1) and
 * verifies tokens this broker issued against every published key. Signers and verifiers are
 * cached per {@code kid}; private keys never leave this class's process.
 */
public final class BrokerTokens {

    public static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    /** A compact JWS larger than this is not one of ours. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final SigningKeys keys;
    private final Map<String, JWSSigner> signers = new ConcurrentHashMap<>();
    private final Map<String, JWSVerifier> verifiers = new ConcurrentHashMap<>();

    public BrokerTokens(SigningKeys keys) {
        this.keys = keys;
    }

    /** The token and the kid that signed it. */
    public record Signed(String token, String kid) {
    }

    public Signed sign(JWTClaimsSet claims) {
        SigningKey key = keys.current();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.parse(key.algorithm())).type(AT_JWT).keyID(key.kid()).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signers.computeIfAbsent(key.kid(), kid -> signer(key.privateJwk())));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with key " + key.kid() + " failed", e);
        }
        return new Signed(jwt.serialize(), key.kid());
    }

    /**
     * Parses and verifies a token this broker issued: {@code typ at+jwt}, an algorithm and
     * {@code kid} of a published key, a valid signature, no header that points elsewhere for keys,
     * and the given issuer. Expiry is the caller's business (with its clock). Empty when any check fails.
     */
    public Optional<JWTClaimsSet> verify(String token, String issuer) {
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader header = jwt.getHeader();
            if (!AT_JWT.equals(header.getType()) || header.getKeyID() == null || header.getJWKURL() != null
                    || header.getJWK() != null || header.getX509CertURL() != null || header.getX509CertChain() != null
                    || header.getCriticalParams() != null) {
                return Optional.empty();
            }
            Optional<JWK> key = keys.publicKey(header.getKeyID());
            if (key.isEmpty() || key.get().getAlgorithm() == null
                    || !key.get().getAlgorithm().getName().equals(header.getAlgorithm().getName())) {
                return Optional.empty();
            }
            JWSVerifier verifier = verifiers.computeIfAbsent(header.getKeyID(), kid -> verifier(key.get()));
            if (!jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!issuer.equals(claims.getIssuer())) {
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static JWSSigner signer(JWK jwk) {
        try {
            if (jwk instanceof OctetKeyPair okp) {
                return new Ed25519Signer(okp);
            }
            return jwk instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) jwk);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSVerifier verifier(JWK jwk) {
        try {
            if (jwk instanceof OctetKeyPair okp) {
                return new Ed25519Verifier(okp.toPublicJWK());
            }
            return jwk instanceof ECKey ec ? new ECDSAVerifier(ec.toPublicJWK()) : new RSASSAVerifier(((RSAKey) jwk).toPublicJWK());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
