package dev.mandate.broker.admin;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Cursor pagination: stable order by id, the cursor is the opaque encoding of the last id returned. */
public final class Pages {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    private Pages() {
    }

    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new AdminRefusal(400, "validation", "limit must be 1.." + MAX_LIMIT,
                    List.of(Map.of("field", "limit", "message", "must be 1.." + MAX_LIMIT)));
        }
        return limit;
    }

    /** The id after which the page starts; "" for the first page. */
    public static String after(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return "";
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AdminRefusal(400, "validation", "cursor is not one this API returned",
                    List.of(Map.of("field", "cursor", "message", "malformed")));
        }
    }

    /** Builds {@code {"items":[...],"next_cursor":...}} from up to limit+1 rows fetched. */
    public static <T> Map<String, Object> page(List<T> rows, int limit, Function<T, String> id) {
        Map<String, Object> page = new LinkedHashMap<>();
        boolean more = rows.size() > limit;
        List<T> items = more ? rows.subList(0, limit) : rows;
        page.put("items", items);
        page.put("next_cursor", more ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(id.apply(items.get(items.size() - 1)).getBytes(StandardCharsets.UTF_8)) : null);
        return page;
    }

    /** The version an {@code If-Match} header names; null when absent. */
    public static Long ifMatch(String header) {
        if (header == null) {
            return null;
        }
        String value = header.trim();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        value = value.replace("\"", "");
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new AdminRefusal(400, "validation", "If-Match must be the ETag of the resource",
                    List.of(Map.of("field", "If-Match", "message", "malformed")));
        }
    }
}
