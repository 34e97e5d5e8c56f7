package dev.mandate.exchange;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.mandate.catalog.ScopeSet;

/**
 * The policy-relevant values of an RFC 8693 request, validated: the {@code audience} and
 * {@code resource} values (distinct), the requested scope (null when absent), and the extension
 * parameters {@code ttl} (seconds), {@code budget} and {@code task} of SPEC §4.
 */
public record ExchangeRequest(List<String> audiences, ScopeSet scope, Long ttlSeconds, Long budget, String task) {

    public static final long MAX_TTL_SECONDS = 86_400;
    public static final long MAX_BUDGET = 1_000_000_000_000_000L;
    public static final int MAX_TASK_LENGTH = 200;
    private static final Pattern DECIMAL = Pattern.compile("[1-9][0-9]{0,17}");

    public ExchangeRequest {
        audiences = List.copyOf(audiences);
    }

    public static ExchangeRequest parse(Map<String, List<String>> form) {
        LinkedHashSet<String> audiences = new LinkedHashSet<>();
        audiences.addAll(form.getOrDefault("audience", List.of()));
        audiences.addAll(form.getOrDefault("resource", List.of()));
        if (audiences.size() > 8) {
            throw refused("too_many_audiences", "too many audience/resource values");
        }
        ScopeSet scope = null;
        String scopeValue = first(form, "scope");
        if (scopeValue != null) {
            try {
                scope = ScopeSet.parse(scopeValue);
            } catch (IllegalArgumentException e) {
                throw new ExchangeRefused(ExchangeError.INVALID_SCOPE, "scope_malformed",
                        "scope must be space-delimited RFC 6749 scope-tokens");
            }
        }
        Long ttl = positive(form, "ttl", MAX_TTL_SECONDS);
        Long budget = positive(form, "budget", MAX_BUDGET);
        String task = first(form, "task");
        if (task != null && (task.length() > MAX_TASK_LENGTH || task.chars().anyMatch(Character::isISOControl))) {
            throw refused("task_invalid", "task must be at most " + MAX_TASK_LENGTH + " printable characters");
        }
        return new ExchangeRequest(new ArrayList<>(audiences), scope, ttl, budget, task);
    }

    private static Long positive(Map<String, List<String>> form, String name, long max) {
        String value = first(form, name);
        if (value == null) {
            return null;
        }
        if (!DECIMAL.matcher(value).matches()) {
            throw refused(name + "_invalid", name + " must be a positive decimal integer");
        }
        long parsed = Long.parseLong(value);
        if (parsed > max) {
            throw refused(name + "_invalid", name + " must be at most " + max);
        }
        return parsed;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static ExchangeRefused refused(String reason, String description) {
        return new ExchangeRefused(ExchangeError.INVALID_REQUEST, reason, description);
    }
}
