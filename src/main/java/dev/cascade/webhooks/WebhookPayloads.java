package dev.cascade.webhooks;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.aggregation.ResultItems;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Json;
import dev.cascade.support.Times;

/** Builds webhook bodies from the settled workflow (built once, on the first attempt, then stored). */
@ApplicationScoped
class WebhookPayloads {
    static final String COMPLETED = "enrichment.completed";
    static final String CONTACT_COMPLETED = "enrichment.contact_completed";

    private final WorkflowReader reader;
    private final Json json;
    private final CascadeConfig config;
    private final Pool pool;

    WebhookPayloads(WorkflowReader reader, Json json, CascadeConfig config, Pool pool) {
        this.reader = reader;
        this.json = json;
        this.config = config;
        this.pool = pool;
    }

    /** The body of an event, by its type. */
    Uni<String> build(String eventType, UUID orgId, String workflowId, UUID taskId) {
        return CONTACT_COMPLETED.equals(eventType) ? contactCompleted(orgId, taskId) : completed(orgId, workflowId);
    }

    /**
     * `enrichment.contact_completed` (per_contact_webhooks, §6.1): one settled task's result item (§5.3; a
     * prospecting task's item carries its prospect rows), with its workflow and when it settled.
     */
    Uni<String> contactCompleted(UUID orgId, UUID taskId) {
        return pool.preparedQuery("SELECT t.workflow_id, t.result::text AS result, t.settled_at, w.lead_list_id,"
                        + " w.enrichment_type FROM tasks t JOIN workflows w ON w.id = t.workflow_id"
                        + " WHERE t.id = $1 AND t.org_id = $2")
                .execute(Tuple.of(taskId, orgId))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        throw new IllegalStateException("task " + taskId + " is gone");
                    }
                    Row row = it.next();
                    JsonNode result = ResultItems.withArrays(json.read(row.getString("result"), JsonNode.class));
                    // A prospecting task's result items are its prospect rows (§5.3), as in `enrichment.completed`.
                    List<JsonNode> rowsFound = null;
                    if (result instanceof ObjectNode item && item.get("prospects") != null) {
                        List<JsonNode> each = new ArrayList<>();
                        item.get("prospects").forEach(prospect -> each.add(ResultItems.withArrays(prospect)));
                        rowsFound = each;
                        item.remove("prospects");
                    }
                    return json.write(new ContactCompletedPayload(
                            CONTACT_COMPLETED,
                            row.getString("workflow_id"),
                            taskId,
                            row.getUUID("lead_list_id"),
                            row.getString("enrichment_type"),
                            result,
                            rowsFound,
                            Times.format(row.getOffsetDateTime("settled_at"))));
                });
    }

    /** Body of `enrichment.contact_completed`. */
    record ContactCompletedPayload(
            String event,
            String workflowId,
            UUID taskId,
            UUID leadListId,
            String enrichmentType,
            JsonNode result,
            List<JsonNode> results,
            String completedAt) {}

    Uni<String> completed(UUID orgId, String workflowId) {
        int limit = config.webhooks().resultsLimit();
        return reader.workflow(orgId, workflowId).chain(workflow -> {
            if (workflow == null) {
                return Uni.createFrom().failure(new IllegalStateException("workflow " + workflowId + " is gone"));
            }
            return reader.results(orgId, workflowId, limit)
                    .map(page -> new CompletedPayload(
                            COMPLETED,
                            workflowId,
                            workflow.leadListId(),
                            workflow.enrichmentType(),
                            workflow.status(),
                            new CompletedPayload.Summary(
                                    workflow.totalProspects(),
                                    workflow.completedProspects(),
                                    workflow.failedProspects(),
                                    workflow.emailsFound(),
                                    workflow.phonesFound()),
                            page.items(),
                            limit,
                            page.total() - page.items().size(),
                            "/api/v1/public/enrich/status?workflow_id=" + workflowId + "&include_results=true",
                            workflow.completedAt(),
                            workflow.custom()))
                    .map(json::write);
        });
    }
}
