package dev.cascade.accounts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Budget caps (§4.4). Before a task of a capped workflow calls any provider it reserves, out of what the cap leaves
 * (charged so far plus what running tasks reserved), its worst case — or, when less is left, whatever is left (whole
 * prospects for prospecting): a task runs while any of the budget is unreserved, so a `full` task with 5 credits
 * left still runs and may deliver its email. The waterfall then delivers only what its reservation pays for
 * ({@code WaterfallConsumer}: findings beyond it are withheld, the task `skipped_reason: budget` when nothing fits),
 * and the settle statement charges at most the reservation and returns it. A reservation is made once per task (a
 * re-run reuses it), so the sum of the workflow's charges never passes its cap and no finding goes out unpaid.
 */
@ApplicationScoped
public class Budgets {
    private final Pool pool;

    public Budgets(Pool pool) {
        this.pool = pool;
    }

    /**
     * Reserves up to {@code worstCase} for the task; with a {@code step} (prospecting's price per prospect) a smaller
     * whole number of steps is reserved when the whole worst case is not left. Answers what was reserved: zero means
     * the budget is spent, null that the workflow or task is unknown here (the task then runs unreserved, and the
     * aggregator ignores its result).
     */
    public Uni<BigDecimal> reserve(UUID taskId, String workflowId, BigDecimal worstCase, BigDecimal step) {
        // Not filtered by organisation: the ids come from our own task record (the waterfall's), not from a request.
        return pool.withTransaction(conn -> conn.preparedQuery(
                        "SELECT max_credits, credits_charged, budget_reserved FROM workflows WHERE id = $1"
                                + " FOR NO KEY UPDATE")
                .execute(Tuple.of(workflowId))
                .chain(workflows -> {
                    if (workflows.rowCount() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row workflow = workflows.iterator().next();
                    return conn.preparedQuery(
                                    "SELECT status, budget_reserved FROM tasks WHERE id = $1 AND workflow_id = $2")
                            .execute(Tuple.of(taskId, workflowId))
                            .chain(tasks -> {
                                if (tasks.rowCount() == 0) {
                                    return Uni.createFrom().nullItem();
                                }
                                Row task = tasks.iterator().next();
                                if (!"pending".equals(task.getString("status"))
                                        && !"running".equals(task.getString("status"))) {
                                    // Settled already (a repeated record): nothing more to spend on it.
                                    return Uni.createFrom().item(BigDecimal.ZERO);
                                }
                                BigDecimal already = task.getBigDecimal("budget_reserved");
                                if (already.signum() > 0) {
                                    return Uni.createFrom().item(already);
                                }
                                BigDecimal amount = grant(workflow, worstCase, step);
                                if (amount.signum() == 0) {
                                    return Uni.createFrom().item(BigDecimal.ZERO);
                                }
                                return conn.preparedQuery("UPDATE workflows SET budget_reserved ="
                                                + " budget_reserved + $2 WHERE id = $1")
                                        .execute(Tuple.of(workflowId, amount))
                                        .chain(() -> conn.preparedQuery(
                                                        "UPDATE tasks SET budget_reserved = $2 WHERE id = $1")
                                                .execute(Tuple.of(taskId, amount)))
                                        .replaceWith(amount);
                            });
                }));
    }

    /**
     * What running tasks of the workflow have reserved and not yet returned: while it is above zero, a task that
     * could reserve nothing may still get what they leave unused, so it waits for them instead of being skipped.
     */
    public Uni<BigDecimal> outstanding(String workflowId) {
        return pool.preparedQuery("SELECT budget_reserved FROM workflows WHERE id = $1")
                .execute(Tuple.of(workflowId))
                .map(rows -> rows.rowCount() == 0
                        ? BigDecimal.ZERO
                        : rows.iterator().next().getBigDecimal("budget_reserved"));
    }

    private static BigDecimal grant(Row workflow, BigDecimal worstCase, BigDecimal step) {
        BigDecimal cap = workflow.getBigDecimal("max_credits");
        if (cap == null) {
            return worstCase;
        }
        BigDecimal left = cap.subtract(workflow.getBigDecimal("credits_charged"))
                .subtract(workflow.getBigDecimal("budget_reserved"));
        if (left.compareTo(worstCase) >= 0) {
            return worstCase;
        }
        if (left.signum() <= 0) {
            return BigDecimal.ZERO;
        }
        if (step == null || step.signum() <= 0) {
            // Less than the worst case is left: the task runs on what is left and delivers what that pays for.
            return left;
        }
        return left.compareTo(step) < 0
                ? BigDecimal.ZERO
                : left.divide(step, 0, RoundingMode.DOWN).multiply(step);
    }
}
