package dev.cascade.api;

import java.util.List;
import java.util.Locale;

import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;

/** Boolean query parameters, read as FastAPI reads them (true/false, 1/0, yes/no, on/off). */
final class Flags {
    private Flags() {}

    static boolean parse(String value, String name) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default ->
                throw new ValidationException(List.of(new ValidationProblem(
                        "bool_parsing", List.of("query", name), "Input should be a valid boolean", value)));
        };
    }
}
