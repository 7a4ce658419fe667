package dev.cascade.testing;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cascade.testing.Gateway.Tenant;

/**
 * A running workflow written straight to the database, whose tasks the test settles one transaction at a time as the
 * aggregator would: result, `settle_seq` in settlement order, the workflow's counters, and `completed` with the last.
 * Nothing is published, so no other part of the gateway touches it.
 */
public final class ScriptedWorkflow {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String workflowId = "public_bulk_" + UUID.randomUUID();
    private final List<UUID> tasks = new ArrayList<>();
    private int settled;

    private ScriptedWorkflow() {}

    /** A `running` workflow of the tenant with {@code count} running tasks. */
    public static ScriptedWorkflow running(Tenant tenant, int count) throws Exception {
        ScriptedWorkflow scripted = new ScriptedWorkflow();
        UUID org = UUID.fromString(tenant.orgId());
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            // Dispatched and making progress now, so no sweep re-publishes its tasks during the test.
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " options, dispatched_at) VALUES (?, ?, ?, 'partial', 'running', ?, '{}'::jsonb, now())",
                    scripted.workflowId,
                    org,
                    list,
                    count);
            for (int i = 0; i < count; i++) {
                UUID task = UUID.randomUUID();
                scripted.tasks.add(task);
                Db.exec(
                        conn,
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact, started_at)"
                                + " VALUES (?, ?, ?, ?, ?, 'running', '{}'::jsonb, now())",
                        task,
                        scripted.workflowId,
                        org,
                        list,
                        i);
            }
        }
        return scripted;
    }

    public String workflowId() {
        return workflowId;
    }

    /** The result item the task at this input index settles with. */
    public ObjectNode item(int index) {
        ObjectNode item = JSON.createObjectNode()
                .put("task_id", tasks.get(index).toString())
                .put("status", "completed")
                .put("primary_email", "p" + index + "@acme.com")
                .put("primary_email_status", "reliable");
        item.putArray("other_emails");
        item.putArray("personal_phone_numbers");
        item.putArray("phones");
        return item;
    }

    /** Settles the tasks at these input indexes, in this order, in one transaction. */
    public void settle(int... indexes) throws Exception {
        try (Connection conn = Db.connect()) {
            conn.setAutoCommit(false);
            for (int index : indexes) {
                settled++;
                Db.exec(
                        conn,
                        "UPDATE tasks SET status = 'completed', result = ?::json, settle_seq = ?, settled_at = now()"
                                + " WHERE id = ?",
                        JSON.writeValueAsString(item(index)),
                        settled,
                        tasks.get(index));
            }
            boolean done = settled == tasks.size();
            Db.exec(
                    conn,
                    "UPDATE workflows SET completed_prospects = ?, emails_found = ?, status = ?,"
                            + " completed_at = CASE WHEN ? THEN now() END WHERE id = ?",
                    settled,
                    settled,
                    done ? "completed" : "running",
                    done,
                    workflowId);
            conn.commit();
        }
    }
}
