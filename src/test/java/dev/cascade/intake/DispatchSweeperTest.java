package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** A crash between the commit and the publish must not strand a workflow's tasks. */
@QuarkusTest
class DispatchSweeperTest {

    @Test
    void aWorkflowWhoseDispatchWasNeverConfirmedIsPublishedAndCompletes() throws Exception {
        Tenant tenant = Gateway.newTenant("sweeper-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        // What a gateway that died right after committing leaves behind: rows, and no record on the topic.
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " options, created_at) VALUES (?, ?, ?, 'partial', 'pending', 3, '{}'::jsonb,"
                            + " now() - interval '1 minute')",
                    workflowId,
                    org,
                    list);
            for (int i = 0; i < 3; i++) {
                Db.pendingTask(conn, UUID.randomUUID(), workflowId, org, list, i, Db.person(i));
            }
        }
        var status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(40));
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(3);
        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND dispatched_at IS NOT NULL", workflowId))
                .isEqualTo(1);
    }

    @Test
    void aDispatchedWorkflowWhoseTaskRecordsWereLostIsRepublishedAfterTheStallTimeout() throws Exception {
        Tenant tenant = Gateway.newTenant("stalled-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        // Dispatched, one task settled, two started an hour ago and never settled: their records were lost in
        // flight (say, dead-lettered because their results could not be written).
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " completed_prospects, options, created_at, dispatched_at, last_progress_at) VALUES (?, ?, ?,"
                            + " 'none', 'running', 3, 1, '{}'::jsonb, now() - interval '2 hours', now() - interval '2 hours',"
                            + " now() - interval '1 hour')",
                    workflowId,
                    org,
                    list);
            Db.exec(
                    conn,
                    "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact, result) VALUES"
                            + " (?, ?, ?, ?, 0, 'completed', '{}'::jsonb, '{}'::json)",
                    UUID.randomUUID(),
                    workflowId,
                    org,
                    list);
            for (int i = 1; i < 3; i++) {
                Db.exec(
                        conn,
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact, started_at)"
                                + " VALUES (?, ?, ?, ?, ?, 'running', ?::jsonb, now() - interval '1 hour')",
                        UUID.randomUUID(),
                        workflowId,
                        org,
                        list,
                        i,
                        "{\"first_name\":\"Bo\",\"last_name\":\"Ek" + i + "\",\"company_domain\":\"acme.com\"}");
            }
        }
        var status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(40));
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(3);
    }

    @Test
    void aStalledWorkflowsPendingTasksAreLeftToTheBacklog() throws Exception {
        Tenant tenant = Gateway.newTenant("backlog-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        UUID queued = UUID.randomUUID();
        // No progress for an hour, but its task was never started: it is waiting in Kafka, not lost.
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " options, created_at, dispatched_at, last_progress_at) VALUES (?, ?, ?, 'none',"
                            + " 'pending', 1, '{}'::jsonb, now() - interval '2 hours', now() - interval '2 hours',"
                            + " now() - interval '1 hour')",
                    workflowId,
                    org,
                    list);
            Db.pendingTask(conn, queued, workflowId, org, list, 0, "{\"company_name\":\"Acme\"}");
        }
        // The sweeper looks at it (and pushes its progress stamp on) but publishes nothing.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id = ? AND last_progress_at > now() - interval '1 minute'",
                                workflowId)
                        == 1);
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() ->
                        Gateway.count("SELECT count(*) FROM tasks WHERE id = ? AND status = 'pending'", queued) == 1);
    }
}
