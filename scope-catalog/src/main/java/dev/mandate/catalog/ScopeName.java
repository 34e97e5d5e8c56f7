package dev.mandate.catalog;

import java.util.Objects;
import java.util.regex.Pattern;

/** One RFC 6749 §3.3 scope-token: 1..128 characters of %x21 / %x23-5B / %x5D-7E. */
public record ScopeName(String value) implements Comparable<ScopeName> {

    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}");

    public ScopeName {
        Objects.requireNonNull(value, "scope");
        if (!SCOPE_TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException("not an RFC 6749 scope-token");
        }
    }

    public static boolean isValid(String value) {
        return value != null && SCOPE_TOKEN.matcher(value).matches();
    }

    @Override
    public int compareTo(ScopeName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
