package dev.cascade.aggregation;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.support.Json;
import dev.cascade.support.Times;

/** Reads workflows, tasks and their results, always scoped to one organisation. */
@ApplicationScoped
public class WorkflowReader {

    private final Pool pool;
    private final Json json;

    public WorkflowReader(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /** The columns of `workflows` a {@link WorkflowView} is made of (also read by the progress streams' poller). */
    static final String COLUMNS = "id, org_id, status, total_prospects, completed_prospects, failed_prospects,"
            + " emails_found, phones_found, created_at, completed_at, enrichment_type, lead_list_id,"
            + " credits_charged, custom::text AS custom, webhook_url";

    /** The organisation's workflow, or null when it is unknown or another organisation's. */
    public Uni<WorkflowView> workflow(UUID orgId, String workflowId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM workflows WHERE id = $1 AND org_id = $2")
                .execute(Tuple.of(workflowId, orgId))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    return it.hasNext() ? toView(it.next()) : null;
                });
    }

    /**
     * A page of an organisation's workflows, newest first, and where the next page starts (the last one's exact
     * `created_at` and id; null when no older workflow follows).
     */
    public record WorkflowPage(List<WorkflowView> workflows, OffsetDateTime nextCreated, String nextId) {}

    /**
     * The organisation's workflows newest first (`created_at`, then id, both descending), at most {@code limit},
     * starting after the position {@code (beforeCreated, beforeId)} when given.
     */
    public Uni<WorkflowPage> list(UUID orgId, int limit, OffsetDateTime beforeCreated, String beforeId) {
        String sql = "SELECT " + COLUMNS + " FROM workflows WHERE org_id = $1"
                + (beforeCreated == null ? "" : " AND (created_at, id) < ($3, $4)")
                + " ORDER BY created_at DESC, id DESC LIMIT $2";
        Tuple args = beforeCreated == null
                ? Tuple.of(orgId, limit + 1)
                : Tuple.of(orgId, limit + 1, beforeCreated, beforeId);
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<WorkflowView> page = new ArrayList<>();
            OffsetDateTime lastCreated = null;
            String lastId = null;
            boolean more = false;
            for (Row row : rows) {
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(toView(row));
                lastCreated = row.getOffsetDateTime("created_at");
                lastId = row.getString("id");
            }
            return more ? new WorkflowPage(page, lastCreated, lastId) : new WorkflowPage(page, null, null);
        });
    }

    /** Result items of a workflow: the first {@code limit} of them, and how many there are in all. */
    public record ResultPage(List<JsonNode> items, int total) {}

    /**
     * The workflow's result items in input order (a prospecting task gives one item per prospect; a pending task
     * only its id and status), at most {@code limit} of them, with the count of all.
     */
    public Uni<ResultPage> results(UUID orgId, String workflowId, int limit) {
        // The organisation as well as the workflow, though callers looked the workflow up for it: defence in depth.
        return pool.preparedQuery("SELECT id, status, result::text AS result FROM tasks"
                        + " WHERE workflow_id = $1 AND org_id = $2 ORDER BY idx")
                .execute(Tuple.of(workflowId, orgId))
                .map(rows -> {
                    List<JsonNode> items = new ArrayList<>();
                    int total = 0;
                    for (Row row : rows) {
                        for (JsonNode item : rowItems(row)) {
                            if (items.size() < limit) {
                                items.add(item);
                            }
                            total++;
                        }
                    }
                    return new ResultPage(items, total);
                });
    }

    /** The result items of one task row (columns `id`, `status`, `result` as text); also used by the export. */
    List<JsonNode> rowItems(Row row) {
        return ResultItems.of(json.mapper(), row.getUUID("id"), row.getString("status"), row.getString("result"));
    }

    /** The organisation's task, or null when it is unknown or another organisation's. */
    public Uni<TaskView> task(UUID orgId, UUID taskId, boolean includeTrace) {
        return pool.preparedQuery("SELECT id, workflow_id, status, result::text AS result, trace::text AS trace"
                        + " FROM tasks WHERE id = $1 AND org_id = $2")
                .execute(Tuple.of(taskId, orgId))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row row = it.next();
                    JsonNode result = null;
                    if (row.getString("result") != null) {
                        ObjectNode node = (ObjectNode) ResultItems.withArrays(parse(row.getString("result")));
                        node.remove(List.of("task_id", "status"));
                        result = node;
                    }
                    JsonNode trace = null;
                    if (includeTrace) {
                        trace = row.getString("trace") == null
                                ? json.mapper().createArrayNode()
                                : parse(row.getString("trace"));
                    }
                    return new TaskView(
                            row.getUUID("id"), row.getString("workflow_id"), row.getString("status"), result, trace);
                });
    }

    /** A row holding {@link #COLUMNS} as a view. */
    WorkflowView toView(Row row) {
        Map<String, String> custom = json.stringMap(row.getString("custom"));
        OffsetDateTime completedAt = row.getOffsetDateTime("completed_at");
        return new WorkflowView(
                row.getString("id"),
                row.getString("status"),
                row.getInteger("total_prospects"),
                row.getInteger("completed_prospects"),
                row.getInteger("failed_prospects"),
                row.getInteger("emails_found"),
                row.getInteger("phones_found"),
                Times.format(row.getOffsetDateTime("created_at")),
                Times.format(completedAt),
                row.getString("enrichment_type"),
                row.getUUID("lead_list_id"),
                row.getNumeric("credits_charged").doubleValue(),
                custom,
                null,
                row.getUUID("org_id"),
                row.getString("webhook_url"));
    }

    private JsonNode parse(String value) {
        try {
            return json.mapper().readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }
}
