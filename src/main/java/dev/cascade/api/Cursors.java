package dev.cascade.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.cascade.support.ApiException;

/** Opaque pagination cursors: base64url of a short text position, refused with 400 when forged or damaged. */
final class Cursors {
    static final String INVALID = "Invalid cursor";

    private Cursors() {}

    static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The position in a cursor; null for no cursor. */
    static String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        if (cursor.length() > 200) {
            throw new ApiException(400, INVALID);
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, INVALID);
        }
    }

    /** A page size from the query: default when absent, else 1 to {@code max}, else 400. */
    static int limit(String value, int fallback, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(400, "limit must be an integer from 1 to " + max);
    }
}
