package dev.cascade.aggregation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.support.MicroBatcher;

/**
 * Claims a task for the waterfall before any provider is called: a conditional update marks it (and its workflow)
 * `running` only while its workflow is not cancelled, under the workflow's row lock, which a cancel takes too (§4.6).
 * So a cancel and a waterfall never both proceed: either the claim commits first (the task runs; the cancel settles
 * it `cancelled` without waiting, and its late result settles nothing) or the cancel does (the claim waits for its lock, then sees `cancelled_at`, and the
 * task is answered `cancelled` without a provider call). Concurrent claims share one statement ({@link MicroBatcher}:
 * one round trip per batch of task records, never one per task under load). Keyed by the task ids of our own task
 * records, not by an id from a request: not filtered by organisation.
 */
@ApplicationScoped
public class TaskClaims {
    static final String CLAIM_SQL = """
            WITH locked AS (
                -- Workflows before tasks, in id order, as the aggregator and the cancel lock them: never a deadlock
                -- with them. A cancel in progress makes this wait; the row then read is the cancel's.
                SELECT id, cancelled_at FROM workflows
                 WHERE id IN (SELECT workflow_id FROM tasks WHERE id = ANY($1))
                 ORDER BY id FOR NO KEY UPDATE
            ), started AS (
                UPDATE tasks SET status = 'running', started_at = now()
                 WHERE id = ANY($1) AND status = 'pending'
                   AND workflow_id IN (SELECT id FROM locked WHERE cancelled_at IS NULL)
                RETURNING workflow_id
            ), running AS (
                UPDATE workflows SET status = 'running'
                 WHERE id IN (SELECT DISTINCT workflow_id FROM started) AND status = 'pending'
            )
            -- The tasks that may not run, and why (the statement's snapshot: a task claimed just now reads `pending`).
            SELECT t.id, CASE WHEN l.cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'settled' END AS answer
              FROM tasks t JOIN locked l ON l.id = t.workflow_id
             WHERE t.id = ANY($1) AND (l.cancelled_at IS NOT NULL OR t.status NOT IN ('pending', 'running'))
            """;

    /** What a claim answers about a task record. */
    public enum Claim {
        /** Claimed now, or already `running` (a record delivered again while or after its first run): it runs. */
        RUN,
        /** Its workflow is cancelled: no provider is called; the result says `cancelled`, as the cancel settled it. */
        CANCELLED,
        /**
         * Already settled, and not by a cancel (its result was settled, or the dispatch sweeper gave its workflow up): a
         * record delivered again after its offset was lost, or re-published by the sweeper. Nothing is run and nothing
         * published: a second result would settle nothing, and its vendor calls would be paid for again.
         */
        SETTLED
    }
    /**
     * How long a task waits for its claim before it goes on without one (PostgreSQL slow or away): well under the
     * task consumer's unacked-record age, and far above a cancel's transaction.
     */
    private static final Duration BOUND = Duration.ofSeconds(5);

    /** Of the given workflows, those cancelled (read without a lock: a cancel that commits later is not seen). */
    static final String CANCELLED_SQL = "SELECT id FROM workflows WHERE id = ANY($1) AND cancelled_at IS NOT NULL";

    private final Pool pool;
    private final Cancellations cancellations;
    private final MicroBatcher<UUID, Claim> batcher;
    private final MicroBatcher<String, Boolean> cancelledChecks;

    public TaskClaims(Pool pool, Cancellations cancellations) {
        this.pool = pool;
        this.cancellations = cancellations;
        this.batcher = new MicroBatcher<>(500, 2, this::claimAll);
        this.cancelledChecks = new MicroBatcher<>(500, 2, this::cancelledAll);
    }

    /**
     * Whether the workflow was cancelled while its task ran, asked of PostgreSQL (batched) rather than of this
     * process's list, which hears of a cancel made elsewhere only at its next refresh: the task's result then goes out
     * as the cancel's `cancelled` record, not as a second, different record for the task. Best effort: when the
     * database does not answer in time, this process's list decides (the settle ignores a late result either way).
     */
    public Uni<Boolean> cancelledSince(String workflowId) {
        if (cancellations.isCancelled(workflowId)) {
            return Uni.createFrom().item(true);
        }
        return cancelledChecks
                .submit(workflowId)
                .ifNoItem()
                .after(BOUND)
                .fail()
                .invoke(cancelled -> {
                    if (cancelled) {
                        cancellations.add(workflowId);
                    }
                })
                .onFailure()
                .recoverWithItem(failure -> cancellations.isCancelled(workflowId));
    }

    private Uni<List<Boolean>> cancelledAll(List<String> workflowIds) {
        return pool.preparedQuery(CANCELLED_SQL)
                .execute(Tuple.of((Object) workflowIds.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> cancelled = new HashSet<>();
                    for (Row row : rows) {
                        cancelled.add(row.getString("id"));
                    }
                    List<Boolean> answers = new ArrayList<>(workflowIds.size());
                    for (String workflowId : workflowIds) {
                        answers.add(cancelled.contains(workflowId));
                    }
                    return answers;
                });
    }

    /**
     * Claims the task ({@link Claim}): it runs when claimed now or already `running`, not when its workflow is cancelled
     * or it is settled already. When the claim cannot be made in time the task goes on unless this process
     * knows its workflow cancelled: the running mark is lost then (as a lost task record would be), the cancel race
     * reopens only for that moment, and PostgreSQL being away stops the cancels too.
     */
    public Uni<Claim> claim(UUID taskId, String workflowId) {
        return batcher.submit(taskId)
                .ifNoItem()
                .after(BOUND)
                .fail()
                .invoke(answer -> {
                    if (answer == Claim.CANCELLED) {
                        cancellations.add(workflowId);
                    }
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Task %s of workflow %s could not be claimed; it runs unclaimed: %s",
                            taskId,
                            workflowId,
                            failure.getCause() != null ? failure.getCause().getMessage() : failure.getMessage());
                    return cancellations.isCancelled(workflowId) ? Claim.CANCELLED : Claim.RUN;
                });
    }

    /** The claims of a batch in one statement; the answers are aligned with the task ids. */
    private Uni<List<Claim>> claimAll(List<UUID> taskIds) {
        return pool.preparedQuery(CLAIM_SQL)
                .execute(Tuple.of(taskIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Claim> refused = new HashMap<>();
                    for (Row row : rows) {
                        refused.put(
                                row.getUUID("id"),
                                "cancelled".equals(row.getString("answer")) ? Claim.CANCELLED : Claim.SETTLED);
                    }
                    List<Claim> answers = new ArrayList<>(taskIds.size());
                    for (UUID taskId : taskIds) {
                        answers.add(refused.getOrDefault(taskId, Claim.RUN));
                    }
                    return answers;
                });
    }
}
