package dev.mandate.exchange;

import java.util.Objects;

/**
 * The one exception for protocol refusals. {@code reasonCode} is a stable machine code shared by
 * the error response, the audit event and the metrics; {@code description} is for humans and never
 * contains token contents.
 */
public final class ExchangeRefused extends RuntimeException {

    private final ExchangeError error;
    private final String reasonCode;

    public ExchangeRefused(ExchangeError error, String reasonCode, String description) {
        super(description, null, false, false);
        this.error = Objects.requireNonNull(error);
        this.reasonCode = Objects.requireNonNull(reasonCode);
    }

    public ExchangeError error() {
        return error;
    }

    public String reasonCode() {
        return reasonCode;
    }

    public String description() {
        return getMessage();
    }

    /** The same refusal under another error code (e.g. a bad client assertion is invalid_client). */
    public ExchangeRefused as(ExchangeError other) {
        return new ExchangeRefused(other, reasonCode, getMessage());
    }
}
