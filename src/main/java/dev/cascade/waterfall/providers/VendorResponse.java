package dev.cascade.waterfall.providers;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.vertx.mutiny.core.buffer.Buffer;

/** One answer of a vendor, as an adapter's {@link VendorHttp.ResponseMapper} sees it. */
public final class VendorResponse {
    private final int status;
    private final Function<String, String> headers;
    private final Buffer body;
    private final ObjectMapper mapper;
    private JsonNode json;

    VendorResponse(int status, Function<String, String> headers, Buffer body, ObjectMapper mapper) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.mapper = mapper;
    }

    public int status() {
        return status;
    }

    /** A response header, or null. */
    public String header(String name) {
        return headers.apply(name);
    }

    /** The body as text ("" when empty). */
    public String text() {
        return body == null ? "" : body.toString();
    }

    /**
     * The body as JSON; an empty body is a {@link MissingNode}. Throws on a body that is not JSON (the call then
     * fails as `malformed response`).
     */
    public JsonNode json() throws IOException {
        if (json == null) {
            String text = text();
            json = text.isBlank() ? MissingNode.getInstance() : mapper.readTree(text);
            if (json == null) {
                json = MissingNode.getInstance();
            }
        }
        return json;
    }

    /** The JSON body when it parses, else a {@link MissingNode} (for error answers whose body is optional). */
    public JsonNode jsonOrMissing() {
        try {
            return json();
        } catch (IOException | RuntimeException notJson) {
            return MissingNode.getInstance();
        }
    }

    /** The `Retry-After` header (seconds or an HTTP date), or null when absent or unreadable. */
    public Duration retryAfter() {
        return parseRetryAfter(header("Retry-After"));
    }

    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /**
     * The usual meaning of a status the adapter did not handle itself: 429 throttled (with `Retry-After`), 5xx
     * transient, 401/402/403 permanent (credentials, credits, plan), 3xx permanent (redirects are never followed),
     * other 4xx rejected for this request.
     */
    public ProviderOutcome.Failure unexpected() {
        String reason = "HTTP " + status;
        if (status == 429) {
            return ProviderOutcome.Failure.throttled(reason, retryAfter());
        }
        if (status >= 500) {
            return new ProviderOutcome.Failure(reason, true, retryAfter(), true);
        }
        if (status == 401 || status == 402 || status == 403 || (status >= 300 && status < 400)) {
            return ProviderOutcome.Failure.permanent(reason);
        }
        if (status >= 400) {
            return ProviderOutcome.Failure.rejected(reason);
        }
        return ProviderOutcome.Failure.permanent("unexpected " + reason);
    }

    /**
     * A JSON string field, trimmed; null when missing, blank or not a string (so a free plan's {@code true} where an
     * address would be is no address).
     */
    public static String string(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isTextual()) {
            return null;
        }
        String text = value.textValue().trim();
        return text.isEmpty() ? null : text;
    }

    /** Text of a JSON field, or null when missing, null or blank. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        String text = value.isValueNode() ? value.asText() : null;
        return text == null || text.isBlank() ? null : text.trim();
    }
}
