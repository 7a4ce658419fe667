package dev.cascade.leads;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads an organisation's lead lists and their leads (§7); every query is scoped by organisation. */
@ApplicationScoped
public class LeadListReader {
    /** A lead list with its number of leads. */
    public record ListRow(UUID id, String name, boolean isDefault, long leadCount, OffsetDateTime createdAt) {}

    /** A lead: the task it is, with its stored contact and result (JSON text; the result is null while pending). */
    public record LeadRow(
            UUID taskId,
            String workflowId,
            int index,
            String status,
            String contact,
            String result,
            OffsetDateTime createdAt) {}

    /** Where a page of leads starts: after this lead (null: from the first). */
    public record Position(OffsetDateTime createdAt, String workflowId, int index) {}

    private final Pool pool;

    public LeadListReader(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<ListRow>> lists(UUID orgId) {
        // lead_count is kept by the database on every insert and delete of tasks (V13), not counted per call.
        return pool.preparedQuery("SELECT l.id, l.name, l.is_default, l.created_at, l.lead_count"
                        + " FROM lead_lists l WHERE l.org_id = $1 ORDER BY l.created_at, l.id")
                .execute(Tuple.of(orgId))
                .map(rows -> {
                    List<ListRow> lists = new ArrayList<>(rows.rowCount());
                    for (Row row : rows) {
                        lists.add(new ListRow(
                                row.getUUID("id"),
                                row.getString("name"),
                                row.getBoolean("is_default"),
                                row.getLong("lead_count"),
                                row.getOffsetDateTime("created_at")));
                    }
                    return lists;
                });
    }

    /** Whether the list exists and belongs to the organisation. */
    public Uni<Boolean> exists(UUID orgId, UUID listId) {
        return pool.preparedQuery("SELECT 1 FROM lead_lists WHERE id = $1 AND org_id = $2")
                .execute(Tuple.of(listId, orgId))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Up to {@code limit} leads of the list after {@code after}, in submission order, then input order. */
    public Uni<List<LeadRow>> leads(UUID orgId, UUID listId, Position after, int limit) {
        String sql = "SELECT id, workflow_id, idx, status, contact::text AS contact, result::text AS result, created_at"
                + " FROM tasks WHERE lead_list_id = $1 AND org_id = $2"
                + (after == null ? "" : " AND (created_at, workflow_id, idx) > ($4, $5, $6)")
                + " ORDER BY created_at, workflow_id, idx LIMIT $3";
        Tuple params = Tuple.of(listId, orgId, limit);
        if (after != null) {
            params.addOffsetDateTime(after.createdAt())
                    .addString(after.workflowId())
                    .addInteger(after.index());
        }
        return pool.preparedQuery(sql).execute(params).map(rows -> {
            List<LeadRow> leads = new ArrayList<>(rows.rowCount());
            for (Row row : rows) {
                leads.add(new LeadRow(
                        row.getUUID("id"),
                        row.getString("workflow_id"),
                        row.getInteger("idx"),
                        row.getString("status"),
                        row.getString("contact"),
                        row.getString("result"),
                        row.getOffsetDateTime("created_at")));
            }
            return leads;
        });
    }
}
