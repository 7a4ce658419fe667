package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;

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
                Db.exec(
                        conn,
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact) VALUES"
                                + " (?, ?, ?, ?, ?, 'pending', ?::jsonb)",
                        UUID.randomUUID(),
                        workflowId,
                        org,
                        list,
                        i,
                        "{\"first_name\":\"Ann\",\"last_name\":\"Lee" + i + "\",\"company_domain\":\"acme.com\"}");
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
        // Dispatched, one task settled, then nothing for longer than the stall timeout: its records were lost.
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
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact) VALUES"
                                + " (?, ?, ?, ?, ?, 'pending', ?::jsonb)",
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
}
