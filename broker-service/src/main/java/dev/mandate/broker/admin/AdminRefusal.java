package dev.mandate.broker.admin;

import java.util.List;
import java.util.Map;

/**
 * A refused admin request: HTTP status, a stable problem {@code type} and, for validation errors,
 * the fields at fault. Mapped to RFC 9457 problem+json in {@link AdminProblems} only.
 */
public final class AdminRefusal extends RuntimeException {

    private final int status;
    private final String type;
    private final List<Map<String, String>> errors;

    public AdminRefusal(int status, String type, String detail, List<Map<String, String>> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static AdminRefusal notFound(String what) {
        return new AdminRefusal(404, "not-found", what + " does not exist", null);
    }

    public static AdminRefusal conflict(String detail) {
        return new AdminRefusal(409, "conflict", detail, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public List<Map<String, String>> errors() {
        return errors;
    }
}
