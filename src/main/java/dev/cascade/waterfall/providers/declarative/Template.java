package dev.cascade.waterfall.providers.declarative;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * A configured text with `{placeholder}`s, parsed once at start. Each use renders it with the lookup's values,
 * escaped for where the text goes; an absent value renders as the empty string.
 */
final class Template {
    /** What looks like a placeholder; a JSON object (`{"a":1}`) never does. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final List<Object> parts;

    private Template(List<Object> parts) {
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses {@code text}; an unknown placeholder (a typo such as `{firstname}`) fails with a message naming
     * {@code key}, rather than going to the vendor verbatim.
     */
    static Template parse(String key, String text) {
        List<Object> parts = new ArrayList<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        int from = 0;
        while (matcher.find()) {
            Placeholder placeholder = Placeholder.byToken(matcher.group(1));
            if (placeholder == null) {
                throw new IllegalArgumentException(key + " has an unknown placeholder " + matcher.group() + " (known: "
                        + Placeholder.known() + ")");
            }
            if (matcher.start() > from) {
                parts.add(text.substring(from, matcher.start()));
            }
            parts.add(placeholder);
            from = matcher.end();
        }
        if (from < text.length()) {
            parts.add(text.substring(from));
        }
        return new Template(parts);
    }

    boolean uses(Placeholder placeholder) {
        return parts.contains(placeholder);
    }

    /** The text with each placeholder replaced by its value (null: empty), escaped by {@code escaping}. */
    String render(Function<Placeholder, String> values, Escaping escaping) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Placeholder placeholder) {
                String value = values.apply(placeholder);
                out.append(value == null ? "" : escaping.escape(value));
            } else {
                out.append((String) part);
            }
        }
        return out.toString();
    }

    /** How a value is written into each kind of template. */
    enum Escaping {
        /**
         * Percent-encoded, a space as `%20`: right in a path segment and in a query string alike (a form-encoded `+`
         * would be a literal plus in a path, and an email's own `+` must arrive as `%2B`).
         */
        URL {
            @Override
            String escape(String value) {
                return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            }
        },
        /** The inside of a JSON string (quotes, backslashes and control characters escaped by Jackson). */
        JSON {
            @Override
            String escape(String value) {
                return new String(JsonStringEncoder.getInstance().quoteAsString(value));
            }
        },
        /** As given, minus control characters, which could split the header (CR/LF injection). */
        HEADER {
            @Override
            String escape(String value) {
                StringBuilder out = new StringBuilder(value.length());
                value.codePoints().filter(c -> !Character.isISOControl(c)).forEach(out::appendCodePoint);
                return out.toString();
            }
        };

        abstract String escape(String value);
    }
}
