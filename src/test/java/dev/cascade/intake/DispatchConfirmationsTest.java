package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    void aDispatchAndItsStartedRecordConfirmedInOneStatementAreBothMarked() throws Exception {
        String blocker = undispatchedWorkflow();
        String together = undispatchedWorkflow();
        String dispatchOnly = undispatchedWorkflow();

        CompletableFuture<Void> first;
        CompletableFuture<Void> rest;
        try (Connection conn = Db.connect()) {
            // A statement held behind a row lock: whatever is confirmed meanwhile goes together in the next one.
            conn.setAutoCommit(false);
            try (PreparedStatement lock = conn.prepareStatement("SELECT id FROM workflows WHERE id = ? FOR UPDATE")) {
                lock.setString(1, blocker);
                lock.executeQuery().close();
            }
            first = confirmations.confirm(blocker, false).subscribeAsCompletionStage();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Gateway.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND query LIKE '%unnest($1::text[], $2::boolean[]%'")
                            == 1);
            // One workflow named twice in that statement must keep both marks.
            rest = Uni.join()
                    .all(
                            confirmations.confirm(together, false),
                            confirmations.confirmStarted(together),
                            confirmations.confirm(dispatchOnly, false))
                    .andFailFast()
                    .replaceWithVoid()
                    .subscribeAsCompletionStage();
            assertThat(rest).isNotDone();
            conn.commit();
        }
        first.get(10, TimeUnit.SECONDS);
        rest.get(10, TimeUnit.SECONDS);

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
