package dev.cascade.cli;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * `--waterfall` (§4.2): a JSON object as the API takes it, or `part=value` pieces — `email=hunter,prospeo`,
 * `phone=pdl`, `prospect=…` (lists), `verify=zerobounce`, `stop_on=reliable`.
 */
final class Waterfalls {
    private static final List<String> LISTS = List.of("email", "phone", "prospect");
    private static final List<String> SINGLE = List.of("verify", "stop_on");

    private Waterfalls() {}

    static JsonNode parse(List<String> specs) {
        if (specs.isEmpty()) {
            return null;
        }
        if (specs.size() == 1 && specs.get(0).trim().startsWith("{")) {
            try {
                JsonNode node = Api.JSON.readTree(specs.get(0));
                if (node.isObject()) {
                    return node;
                }
            } catch (IOException e) {
                // Reported below.
            }
            throw new Exit.Failure(Exit.USAGE, "--waterfall: not a JSON object");
        }
        ObjectNode spec = Api.JSON.createObjectNode();
        for (String piece : specs) {
            int eq = piece.indexOf('=');
            String part = eq < 0 ? "" : piece.substring(0, eq).trim();
            String value = eq < 0 ? "" : piece.substring(eq + 1).trim();
            if (LISTS.contains(part) && !value.isEmpty()) {
                ArrayNode list = spec.putArray(part);
                for (String name : value.split(",")) {
                    if (!name.isBlank()) {
                        list.add(name.trim());
                    }
                }
            } else if (SINGLE.contains(part) && !value.isEmpty()) {
                spec.put(part, value);
            } else {
                throw new Exit.Failure(
                        Exit.USAGE,
                        "--waterfall takes email=a,b phone=c prospect=d verify=e stop_on=f, or a JSON object: "
                                + piece);
            }
        }
        return spec;
    }
}
