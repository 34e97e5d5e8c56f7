package dev.mandate.validator;

/** A Mandate access token this resource server must refuse, with the reason (never the token itself). */
public final class InvalidTokenException extends Exception {

    /** Why a token was refused. */
    public enum Reason {
        MALFORMED, ALGORITHM_NOT_ALLOWED, WRONG_TYPE, UNKNOWN_KEY, BAD_SIGNATURE, WRONG_ISSUER, WRONG_AUDIENCE,
        EXPIRED, NOT_YET_VALID, KEYS_UNAVAILABLE
    }

    private final Reason reason;

    public InvalidTokenException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
