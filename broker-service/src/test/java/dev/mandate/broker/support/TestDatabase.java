package dev.mandate.broker.support;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the tests' PostgreSQL comes from: an external server when {@code MANDATE_TEST_DATABASE_URL}
 * is set (with {@code MANDATE_TEST_DATABASE_USER}/{@code _PASSWORD}), otherwise the broker's own
 * embedded PostgreSQL in a temporary data directory. Either way it is a real PostgreSQL.
 */
public final class TestDatabase {

    private TestDatabase() {
    }

    public static boolean external() {
        String url = System.getenv("MANDATE_TEST_DATABASE_URL");
        return url != null && !url.isBlank();
    }

    /** Spring properties that select the database; empty in embedded mode. */
    public static Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        if (external()) {
            properties.put("spring.datasource.url", System.getenv("MANDATE_TEST_DATABASE_URL"));
            properties.put("spring.datasource.username", env("MANDATE_TEST_DATABASE_USER", "postgres"));
            properties.put("spring.datasource.password", env("MANDATE_TEST_DATABASE_PASSWORD", ""));
            // An external database needs an explicit master key (SPEC §7); generate one per run.
            properties.put("mandate.master-key", randomBase64(32));
        }
        return properties;
    }

    public static String randomBase64(int bytes) {
        byte[] raw = new byte[bytes];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    public static String randomToken() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
