package dev.cascade.aggregation;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.events.ResultItem;
import dev.cascade.support.Ids;
import dev.cascade.support.Json;
import dev.cascade.support.Text;

/** Result records as the aggregator's settle statement takes them, and the stand-in for one the database refuses. */
final class ResultRecords {
    private final Json json;

    ResultRecords(Json json) {
        this.json = json;
    }

    /**
     * The `failed` result that stands in for a refused one: the task id and the workflow's `custom` (cleaned of what
     * PostgreSQL refuses) from the record, nothing the vendor found; null when the record names no task.
     */
    String refused(String record, String sqlState) {
        try {
            JsonNode node = json.mapper().readTree(record);
            UUID taskId = UUID.fromString(node.path("task_id").asText());
            Map<String, String> custom = null;
            if (node.path("custom").isObject()) {
                custom = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                node.get("custom").fields();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (field.getValue().isValueNode() && !field.getValue().isNull()) {
                        custom.put(
                                Text.storable(field.getKey()),
                                Text.storable(field.getValue().asText()));
                    }
                }
            }
            ResultItem failed =
                    ResultItem.failed(taskId, "result refused by the database (SQLSTATE " + sqlState + ")", custom);
            return json.write(failed);
        } catch (Exception unreadable) {
            return null;
        }
    }

    /** Fields removed from a result record to make its stored item: they belong to the workflow or to the ledger. */
    private static final Set<String> WORKFLOW_FIELDS =
            Set.of("workflow_id", "org_id", "enrichment_type", "charged_credits", "trace");

    /** What the settle statement takes from one result record. */
    static final class Parsed {
        String taskId = "";
        String status = "";
        String workflowId;
        String trace = "[]";
        String error;
        String result;
        double charged;
        boolean hasEmail;
        boolean hasPhones;
    }

    /**
     * Reads a result record in one pass: the values the settle statement takes, and the stored item (the record less
     * {@link #WORKFLOW_FIELDS}) written while it is read, with no tree in between. Values are read as Jackson's tree
     * would read them ({@code asText}, {@code asDouble(0)}, {@code hasNonNull}); for a name given twice the last
     * value counts (the item keeps both, where a tree kept the last). Fails on anything but one JSON object.
     */
    Parsed parse(String record) throws IOException {
        JsonFactory factory = json.mapper().getFactory();
        Parsed parsed = new Parsed();
        StringWriter out = new StringWriter(record.length());
        try (JsonParser in = factory.createParser(record);
                JsonGenerator item = factory.createGenerator(out)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            item.writeStartObject();
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String name = in.currentName();
                JsonToken value = in.nextToken();
                switch (name) {
                    case "task_id" -> parsed.taskId = text(in, value, "null");
                    case "status" -> parsed.status = text(in, value, "null");
                    case "workflow_id" -> parsed.workflowId = text(in, value, null);
                    case "charged_credits" -> parsed.charged = number(in, value);
                    case "primary_email" -> parsed.hasEmail = value != JsonToken.VALUE_NULL;
                    case "error" ->
                        parsed.error = value == JsonToken.VALUE_NULL ? null : Text.storable(text(in, value, ""));
                    case "personal_phone_numbers" -> parsed.hasPhones = false;
                    default -> {}
                }
                if ("trace".equals(name)) {
                    parsed.trace = subtree(factory, in);
                } else if (WORKFLOW_FIELDS.contains(name)) {
                    in.skipChildren();
                } else if ("personal_phone_numbers".equals(name) && value == JsonToken.START_ARRAY) {
                    item.writeFieldName(name);
                    item.writeStartArray();
                    while (in.nextToken() != JsonToken.END_ARRAY) {
                        parsed.hasPhones = true;
                        item.copyCurrentStructure(in);
                    }
                    item.writeEndArray();
                } else {
                    item.writeFieldName(name);
                    item.copyCurrentStructure(in);
                }
            }
            item.writeEndObject();
        }
        parsed.result = out.toString();
        return parsed;
    }

    /**
     * The value as a tree's {@code asText(absent)} reads it: a scalar's text (a number's as its node writes it), ""
     * for a container, absent for null.
     */
    private static String text(JsonParser in, JsonToken value, String absent) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return absent;
        }
        if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
            return in.getNumberValue().toString();
        }
        return value.isScalarValue() ? in.getText() : "";
    }

    /** The value as a tree's {@code asDouble(0)} reads it. */
    private static double number(JsonParser in, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> in.getDoubleValue();
            case VALUE_TRUE -> 1;
            case VALUE_STRING -> {
                try {
                    yield Double.parseDouble(in.getText().trim());
                } catch (NumberFormatException notANumber) {
                    yield 0;
                }
            }
            default -> 0;
        };
    }

    /** The current value (and what it holds) written on its own. */
    private static String subtree(JsonFactory factory, JsonParser in) throws IOException {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator copy = factory.createGenerator(out)) {
            copy.copyCurrentStructure(in);
        }
        return out.toString();
    }

    /**
     * A batch as parallel arrays for {@code unnest}, and the workflows its records name (sorted, distinct), or null when
     * a record names none (a result the database refused, replaced by a `failed` item without its workflow).
     */
    record Batch(Tuple columns, String[] workflowIds) {}

    /** The batch; null when no record in it is readable. */
    Batch toBatch(List<String> records, List<Long> producedAt) {
        int n = records.size();
        List<Double> produced = new ArrayList<>(n);
        List<UUID> ids = new ArrayList<>(n);
        List<String> statuses = new ArrayList<>(n);
        List<String> results = new ArrayList<>(n);
        List<String> traces = new ArrayList<>(n);
        List<Boolean> emails = new ArrayList<>(n);
        List<Boolean> phones = new ArrayList<>(n);
        List<Double> credits = new ArrayList<>(n);
        List<String> errors = new ArrayList<>(n);
        java.util.TreeSet<String> workflows = new java.util.TreeSet<>();
        boolean everyWorkflowNamed = true;
        for (int r = 0; r < n; r++) {
            String record = records.get(r);
            try {
                Parsed parsed = parse(record);
                String status = parsed.status;
                if (!"completed".equals(status) && !"failed".equals(status)) {
                    throw new IllegalArgumentException("status " + status);
                }
                UUID taskId = UUID.fromString(parsed.taskId);
                double charged = parsed.charged;
                if (!Double.isFinite(charged) || charged < 0 || charged > 1_000_000) {
                    throw new IllegalArgumentException("charged_credits out of range");
                }
                // Every check is done: only now is the record added, to every column at once, so the arrays stay
                // aligned row by row.
                if (Ids.isWorkflowId(parsed.workflowId)) {
                    workflows.add(parsed.workflowId);
                } else {
                    everyWorkflowNamed = false;
                }
                ids.add(taskId);
                statuses.add(status);
                results.add(parsed.result);
                traces.add(parsed.trace);
                emails.add(parsed.hasEmail);
                phones.add(parsed.hasPhones);
                credits.add(charged);
                errors.add(parsed.error);
                Long at = producedAt == null ? null : producedAt.get(r);
                produced.add(at == null ? null : at.doubleValue());
            } catch (Exception unreadable) {
                // A record the waterfall did not write cannot settle anything; it is skipped, not retried.
                Log.warnf(
                        "Skipping an unreadable result record: %s",
                        unreadable.getClass().getSimpleName());
            }
        }
        if (ids.isEmpty()) {
            return null;
        }
        Tuple columns = Tuple.of(
                        ids.toArray(UUID[]::new),
                        statuses.toArray(String[]::new),
                        results.toArray(String[]::new),
                        traces.toArray(String[]::new))
                .addArrayOfBoolean(emails.toArray(Boolean[]::new))
                .addArrayOfBoolean(phones.toArray(Boolean[]::new))
                .addArrayOfDouble(credits.toArray(Double[]::new))
                .addArrayOfString(errors.toArray(String[]::new))
                .addArrayOfDouble(produced.toArray(Double[]::new));
        return new Batch(columns, everyWorkflowNamed ? workflows.toArray(String[]::new) : null);
    }
}
