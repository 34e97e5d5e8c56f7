package dev.mandate.exchange;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable identifiers: 128 random bits, base64url. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String jti() {
        return random();
    }

    public static String taskId() {
        return "tsk_" + random();
    }

    private static String random() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
