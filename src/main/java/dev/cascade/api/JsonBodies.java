package dev.cascade.api;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cascade.support.ApiException;

/** Reads request bodies as JSON trees, so that every malformed body gets the contract's 400. */
final class JsonBodies {
    static final String MALFORMED = "Malformed JSON body";

    private JsonBodies() {}

    static JsonNode parse(ObjectMapper mapper, byte[] body, int maxBytes) {
        if (body != null && body.length > maxBytes) {
            throw new ApiException(413, "Request body too large");
        }
        if (body == null || body.length == 0) {
            throw new ApiException(400, MALFORMED);
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, MALFORMED);
            }
            return node;
        } catch (IOException e) {
            throw new ApiException(400, MALFORMED);
        }
    }
}
