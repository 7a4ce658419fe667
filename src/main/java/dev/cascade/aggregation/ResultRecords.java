package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
                JsonNode node = json.mapper().readTree(record);
                UUID taskId = UUID.fromString(node.path("task_id").asText());
                String status = node.path("status").asText();
                if (!"completed".equals(status) && !"failed".equals(status)) {
                    throw new IllegalArgumentException("status " + status);
                }
                // Everything read from the record first; then the stored item is the record itself, less what
                // belongs to the workflow (no copy of the tree).
                String trace = node.has("trace") ? node.get("trace").toString() : "[]";
                JsonNode numbers = node.path("personal_phone_numbers");
                double charged = node.path("charged_credits").asDouble(0);
                boolean hasEmail = node.hasNonNull("primary_email");
                String error = node.hasNonNull("error")
                        ? Text.storable(node.get("error").asText())
                        : null;
                String workflowId = node.path("workflow_id").asText(null);
                ObjectNode item = (ObjectNode) node;
                item.remove(List.of("workflow_id", "org_id", "enrichment_type", "charged_credits", "trace"));
                String result = json.mapper().writeValueAsString(item);
                if (!Double.isFinite(charged) || charged < 0 || charged > 1_000_000) {
                    throw new IllegalArgumentException("charged_credits out of range");
                }
                // Every check is done: only now is the record added, to every column at once, so the arrays stay
                // aligned row by row.
                if (Ids.isWorkflowId(workflowId)) {
                    workflows.add(workflowId);
                } else {
                    everyWorkflowNamed = false;
                }
                ids.add(taskId);
                statuses.add(status);
                results.add(result);
                traces.add(trace);
                emails.add(hasEmail);
                phones.add(numbers.isArray() && !numbers.isEmpty());
                credits.add(charged);
                errors.add(error);
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
