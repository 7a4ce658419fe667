package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** What a dispatch confirmation writes, and what a `started` record acknowledged after it writes on its own. */
@QuarkusTest
class DispatchConfirmationsTest {
    @Inject
    DispatchConfirmations confirmations;

    @Test
    void aLateStartedAcknowledgementMarksOnlyTheStartedRecord() throws Exception {
        String workflowId = undispatchedWorkflow();

        confirmations.confirmStarted(workflowId).await().atMost(Duration.ofSeconds(10));

        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND started_published_at IS NOT NULL"
                                + " AND dispatched_at IS NULL AND dispatch_attempts = 3"
                                + " AND dispatch_failing_since IS NOT NULL",
                        workflowId))
                .isEqualTo(1);
    }

    @Test
    void aDispatchAndItsStartedRecordConfirmedTogetherAreBothMarked() throws Exception {
        String together = undispatchedWorkflow();
        String dispatchOnly = undispatchedWorkflow();

        // Queued at once, they may share one statement: one workflow named twice must keep both marks.
        Uni.join()
                .all(
                        confirmations.confirm(together, false),
                        confirmations.confirmStarted(together),
                        confirmations.confirm(dispatchOnly, false))
                .andFailFast()
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND started_published_at IS NOT NULL"
                                + " AND dispatched_at IS NOT NULL AND dispatch_attempts = 0"
                                + " AND dispatch_failing_since IS NULL",
                        together))
                .isEqualTo(1);
        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND started_published_at IS NULL"
                                + " AND dispatched_at IS NOT NULL AND dispatch_attempts = 0",
                        dispatchOnly))
                .isEqualTo(1);
    }

    /** A workflow whose dispatch failed three times so far; no task rows needed for its confirmation. */
    private static String undispatchedWorkflow() throws Exception {
        Tenant tenant = Gateway.newTenant("confirm-" + UUID.randomUUID());
        try (Connection conn = Db.connect()) {
            return Db.workflow(
                    conn,
                    UUID.fromString(tenant.orgId()),
                    "enrichment_type, status, total_prospects, options, dispatch_attempts, dispatch_failing_since",
                    "'partial', 'pending', 0, '{}'::jsonb, 3, now()");
        }
    }
}
