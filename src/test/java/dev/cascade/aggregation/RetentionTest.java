package dev.cascade.aggregation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** Retention deletes old finished workflows with their rows, and keeps the ledger and everything still in use. */
@QuarkusTest
class RetentionTest {
    @Inject
    Retention retention;

    @Test
    void deletesOldFinishedWorkflowsWithTheirRowsAndKeepsTheLedger() throws Exception {
        Tenant tenant = Gateway.newTenant("retention-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String old = tenant.submit(Map.of("enrichment_type", "partial", "contacts", List.of(person(1), person(2))));
        String young = tenant.submit(Map.of("enrichment_type", "none", "contacts", List.of(person(3))));
        tenant.awaitTerminal(old, Duration.ofSeconds(30));
        tenant.awaitTerminal(young, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id IN (?, ?) AND completed_published_at IS NOT NULL",
                                old,
                                young)
                        == 2);
        UUID list;
        String unfinished = "public_bulk_" + UUID.randomUUID();
        String holding = "public_bulk_" + UUID.randomUUID();
        String delivering = "public_bulk_" + UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            list = UUID.fromString(tenant.results(old).getString("workflow.lead_list_id"));
            String insert = "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                    + " credits_held, created_at, completed_at, completed_published_at)"
                    + " VALUES (?, ?, ?, 'partial', ?, 1, ?, now() - interval '90 days', ?::timestamptz, now())";
            Db.exec(conn, insert, unfinished, org, list, "running", 0, null);
            Db.exec(conn, insert, holding, org, list, "completed", 3, "2000-01-01T00:00:00Z");
            Db.exec(conn, insert, delivering, org, list, "completed", 0, "2000-01-01T00:00:00Z");
            Db.exec(
                    conn,
                    "INSERT INTO webhook_events (id, org_id, workflow_id, event_type, url, status)"
                            + " VALUES (?, ?, ?, 'enrichment.completed', 'https://example.com/h', 'pending')",
                    "msg_" + UUID.randomUUID(),
                    org,
                    delivering);
            String delivered = "msg_" + UUID.randomUUID();
            Db.exec(
                    conn,
                    "INSERT INTO webhook_events (id, org_id, workflow_id, event_type, url, status, attempts)"
                            + " VALUES (?, ?, ?, 'enrichment.completed', 'https://example.com/h', 'succeeded', 1)",
                    delivered,
                    org,
                    old);
            Db.exec(
                    conn,
                    "INSERT INTO webhook_attempts (id, event_id, workflow_id, attempt, status, attempted_at)"
                            + " VALUES (?, ?, ?, 1, 'succeeded', now() - interval '40 days')",
                    UUID.randomUUID(),
                    delivered,
                    old);
            Db.exec(conn, "UPDATE workflows SET completed_at = now() - interval '31 days' WHERE id = ?", old);
        }
        long ledgerRows = Gateway.count("SELECT count(*) FROM credit_ledger WHERE org_id = ?", org);
        assertThat(Gateway.count("SELECT count(*) FROM credit_ledger WHERE workflow_id = ?", old))
                .isGreaterThan(0);

        retention.purge().await().atMost(Duration.ofSeconds(60));

        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE id = ?", old))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM tasks WHERE workflow_id = ?", old))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM webhook_events WHERE workflow_id = ?", old))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM webhook_attempts WHERE workflow_id = ?", old))
                .isZero();
        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", old)
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(404);
        // The ledger keeps every row, those of the deleted workflow included, and still explains the balance.
        assertThat(Gateway.count("SELECT count(*) FROM credit_ledger WHERE org_id = ?", org))
                .isEqualTo(ledgerRows);
        assertThat(Gateway.count("SELECT count(*) FROM credit_ledger WHERE workflow_id = ?", old))
                .isGreaterThan(0);
        dev.cascade.testing.Ledger.assertExplainsBalance(tenant);
        for (String kept : List.of(young, unfinished, holding, delivering)) {
            assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE id = ?", kept))
                    .as(kept)
                    .isEqualTo(1);
        }
        assertThat(Gateway.count("SELECT count(*) FROM tasks WHERE workflow_id = ?", young))
                .isEqualTo(1);
        // The DEFAULT list's count follows the deleted leads.
        assertThat(Gateway.count("SELECT lead_count FROM lead_lists WHERE id = ?", list))
                .isEqualTo(Gateway.count("SELECT count(*) FROM tasks WHERE lead_list_id = ?", list))
                .isEqualTo(1);
    }

    private static Map<String, Object> person(int i) {
        return Gateway.person(i);
    }
}
