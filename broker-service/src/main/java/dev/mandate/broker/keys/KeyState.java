package dev.mandate.broker.keys;

/** SPEC §7: a key is published before it signs ({@code next}), signs while {@code current}, stays published while {@code retired}. */
public enum KeyState {
    NEXT, CURRENT, RETIRED;

    String dbValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static KeyState fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
