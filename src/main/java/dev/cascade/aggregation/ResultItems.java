package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored task result as the result items of §5.3, the one reading shared by the status endpoint, the export, the
 * progress stream and the webhooks so they never disagree: a pending task is only its id and status; a prospecting
 * task is one item per prospect row (the item without {@code prospects} when it found none); every settled item has
 * its three arrays, also when it was stored before the waterfall wrote them for failed tasks and prospect rows.
 */
public final class ResultItems {
    /** The arrays §1 and §5.3 keep when empty. */
    static final List<String> ARRAYS = List.of("other_emails", "personal_phone_numbers", "phones");

    private ResultItems() {}

    /** The result items of one task: its id, its status and its stored result (null until it settled). */
    static List<JsonNode> of(ObjectMapper mapper, UUID taskId, String status, String result) {
        if (result == null) {
            ObjectNode pending = mapper.createObjectNode();
            pending.put("task_id", taskId.toString());
            pending.put("status", status);
            return List.of(pending);
        }
        JsonNode item = parse(mapper, result);
        JsonNode prospects = item.path("prospects");
        if (!prospects.isArray()) {
            return List.of(withArrays(item));
        }
        if (prospects.isEmpty()) {
            ObjectNode none = ((ObjectNode) item).deepCopy();
            none.remove("prospects");
            return List.of(withArrays(none));
        }
        List<JsonNode> each = new ArrayList<>(prospects.size());
        prospects.forEach(row -> each.add(withArrays(row)));
        return each;
    }

    /** A settled item (or prospect row) with every array of §5.3 present, empty when it had none. */
    public static JsonNode withArrays(JsonNode item) {
        if (item instanceof ObjectNode object) {
            for (String field : ARRAYS) {
                if (!object.path(field).isArray()) {
                    object.putArray(field);
                }
            }
        }
        return item;
    }

    static JsonNode parse(ObjectMapper mapper, String value) {
        try {
            return mapper.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }
}
