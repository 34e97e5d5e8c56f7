package dev.mandate.broker.admin;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Collects field errors of one admin request and refuses it with all of them at once. */
public final class Validation {

    public static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private final List<Map<String, String>> errors = new ArrayList<>();

    public Validation require(boolean ok, String field, String message) {
        if (!ok) {
            Map<String, String> error = new LinkedHashMap<>();
            error.put("field", field);
            error.put("message", message);
            errors.add(error);
        }
        return this;
    }

    public Validation slug(String value, String field) {
        return require(value != null && SLUG.matcher(value).matches(), field,
                "must be 1-64 lower-case letters, digits or dashes, starting with a letter or digit");
    }

    public Validation text(String value, String field, int max, boolean required) {
        if (value == null) {
            return require(!required, field, "is required");
        }
        return require(!value.isBlank() && value.length() <= max && value.chars().noneMatch(Character::isISOControl), field,
                "must be 1-" + max + " printable characters");
    }

    public Validation absoluteUri(String value, String field) {
        boolean ok = false;
        if (value != null && value.length() <= 512) {
            try {
                URI uri = new URI(value);
                ok = uri.isAbsolute() && uri.getScheme() != null && uri.getFragment() == null;
            } catch (Exception e) {
                ok = false;
            }
        }
        return require(ok, field, "must be an absolute URI of at most 512 characters");
    }

    /** A PUT body may repeat the resource's id, but only unchanged. */
    public static void samePathId(String inBody, String inPath, String field) {
        if (inBody != null && !inBody.equals(inPath)) {
            throw new AdminRefusal(400, "validation", "the " + field + " in the body differs from the path",
                    List.of(Map.of("field", field, "message", "must equal the path " + field)));
        }
    }

    public void orRefuse() {
        if (!errors.isEmpty()) {
            throw new AdminRefusal(400, "validation", "the request has invalid fields", errors);
        }
    }
}
