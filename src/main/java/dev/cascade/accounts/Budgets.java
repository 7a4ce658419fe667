package dev.cascade.accounts;

import java.math.BigDecimal;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Budget caps (§4.4). A task of a capped workflow runs while any of the budget is left (the cap minus what its
 * settled tasks were charged), whatever its worst case; the settle statement caps each charge at what the cap still
 * leaves, in settlement order, so the workflow's charges never pass the cap and a task that costs less than its worst
 * case never keeps the next one from running. Only a task that starts once the budget is spent is skipped.
 */
@ApplicationScoped
public class Budgets {
    static final String LEFT_SQL = """
            SELECT w.max_credits - w.credits_charged AS left_over, t.status
              FROM tasks t JOIN workflows w ON w.id = t.workflow_id
             WHERE t.id = $1 AND t.workflow_id = $2
            """;

    private final Pool pool;

    public Budgets(Pool pool) {
        this.pool = pool;
    }

    /**
     * What the task's workflow has left of its budget cap: zero or less means the budget is spent (and a task settled
     * already has nothing left to spend either), null that the workflow or task is unknown here or uncapped (the task
     * then runs, and the aggregator ignores the result of an unknown one).
     */
    public Uni<BigDecimal> left(UUID taskId, String workflowId) {
        // Not filtered by organisation: the ids come from our own task record (the waterfall's), not from a request.
        return pool.preparedQuery(LEFT_SQL)
                .execute(Tuple.of(taskId, workflowId))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    String status = row.getString("status");
                    if (!"pending".equals(status) && !"running".equals(status)) {
                        // Settled already (a repeated record): nothing more to spend on it.
                        return BigDecimal.ZERO;
                    }
                    return row.getBigDecimal("left_over");
                });
    }
}
