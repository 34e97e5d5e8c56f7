package dev.mandate.exchange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One level of an RFC 8693 §4.1 {@code act} chain: this actor, and the one before it.
 * The outermost {@code act} of a token is its current actor.
 */
public record Actor(String issuer, String subject, Actor previous) {

    public static final int MAX_DEPTH = 16;

    public Actor {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        if (previous != null && previous.depth() >= MAX_DEPTH) {
            throw new IllegalArgumentException("actor chain deeper than " + MAX_DEPTH);
        }
    }

    public int depth() {
        return previous == null ? 1 : 1 + previous.depth();
    }

    public boolean contains(String issuer, String subject) {
        for (Actor a = this; a != null; a = a.previous) {
            if (a.issuer.equals(issuer) && a.subject.equals(subject)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code act} claim value: {@code {"sub":..,"iss":..,"act":{...}}}. */
    public Map<String, Object> toClaim() {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("sub", subject);
        claim.put("iss", issuer);
        if (previous != null) {
            claim.put("act", previous.toClaim());
        }
        return claim;
    }

    /** Parses an {@code act} claim; null for null. Rejects non-string members and chains deeper than 16. */
    @SuppressWarnings("unchecked")
    public static Actor fromClaim(Object claim) {
        if (claim == null) {
            return null;
        }
        return parse(claim, 1);
    }

    @SuppressWarnings("unchecked")
    private static Actor parse(Object claim, int level) {
        if (level > MAX_DEPTH || !(claim instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("malformed act claim");
        }
        Object sub = map.get("sub");
        Object iss = map.get("iss");
        if (!(sub instanceof String s) || !(iss instanceof String i)) {
            throw new IllegalArgumentException("malformed act claim");
        }
        Object inner = map.get("act");
        return new Actor(i, s, inner == null ? null : parse(inner, level + 1));
    }
}
