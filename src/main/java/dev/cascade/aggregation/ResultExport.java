package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.support.Json;

/**
 * The results export (§4.7): every result item of a workflow, the same items the status endpoint lists, as NDJSON
 * lines or CSV rows. Tasks are read a page at a time by their input index (keyset), and the next page is read only
 * once the previous chunk has been written to the client, so memory stays bounded by one page whatever the size of
 * the workflow and however slowly the client reads; no connection is held between pages.
 */
@ApplicationScoped
public class ResultExport {
    /** Tasks read per query. A prospecting task expands into one row per prospect, so this stays small. */
    static final int PAGE_TASKS = 50;

    private static final String PAGE = "SELECT id, idx, status, result::text AS result FROM tasks"
            + " WHERE workflow_id = $1 AND org_id = $2 AND idx > $3 ORDER BY idx LIMIT $4";

    /** The export formats. */
    public enum Format {
        NDJSON,
        CSV
    }

    private final Pool pool;
    private final WorkflowReader reader;
    private final Json json;

    public ResultExport(Pool pool, WorkflowReader reader, Json json) {
        this.pool = pool;
        this.reader = reader;
        this.json = json;
    }

    /**
     * The workflow's result items in input order as chunks of UTF-8 text: NDJSON (one §5.3 item per line) or CSV
     * (a header row, then one row per item). The caller has checked that the workflow is the organisation's.
     */
    public Multi<Buffer> stream(UUID orgId, String workflowId, Format format) {
        Multi<Buffer> rows = pages(orgId, workflowId)
                .map(items -> format == Format.CSV ? csv(items) : ndjson(items))
                .select()
                .where(chunk -> chunk.length() > 0)
                .onFailure()
                .invoke(e ->
                        Log.errorf(e, "Export of workflow %s failed part way; the response is cut off", workflowId));
        if (format == Format.NDJSON) {
            return rows;
        }
        return Multi.createBy()
                .concatenating()
                .streams(Multi.createFrom().item(() -> Buffer.buffer(ResultCsv.header())), rows);
    }

    /** The result items of each page of tasks, until a page comes back short. */
    private Multi<List<JsonNode>> pages(UUID orgId, String workflowId) {
        return Multi.createFrom().deferred(() -> {
            Cursor cursor = new Cursor();
            return Multi.createBy()
                    .repeating()
                    .uni(() -> page(orgId, workflowId, cursor))
                    .whilst(Page::full)
                    .map(Page::items);
        });
    }

    private Uni<Page> page(UUID orgId, String workflowId, Cursor cursor) {
        return pool.preparedQuery(PAGE)
                .execute(Tuple.of(workflowId, orgId, cursor.afterIdx, PAGE_TASKS))
                .map(rows -> {
                    List<JsonNode> items = new ArrayList<>();
                    for (Row row : rows) {
                        items.addAll(reader.rowItems(row));
                        cursor.afterIdx = row.getInteger("idx");
                    }
                    return new Page(items, rows.size() == PAGE_TASKS);
                });
    }

    private Buffer ndjson(List<JsonNode> items) {
        StringBuilder chunk = new StringBuilder();
        for (JsonNode item : items) {
            try {
                chunk.append(json.mapper().writeValueAsString(item)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("A result item cannot be written", e);
            }
        }
        return Buffer.buffer(chunk.toString());
    }

    private Buffer csv(List<JsonNode> items) {
        StringBuilder chunk = new StringBuilder();
        for (JsonNode item : items) {
            ResultCsv.appendRow(chunk, item, json.mapper());
        }
        return Buffer.buffer(chunk.toString());
    }

    /** Where the next page starts: after this input index. One per subscription to the export. */
    private static final class Cursor {
        private int afterIdx = -1;
    }

    /** One page's items; {@code full} when the page was full, so another may follow. */
    private record Page(List<JsonNode> items, boolean full) {}
}
