package dev.cascade.aggregation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Moves a workflow from `pending` to `running` when its first task starts. */
@ApplicationScoped
public class WorkflowProgress {
    private static final int REMEMBERED = 10_000;

    private final Pool pool;
    /** Workflows this instance already marked: their other tasks skip the write. */
    private final Set<String> marked = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));

    public WorkflowProgress(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> markRunning(String workflowId) {
        if (!marked.add(workflowId)) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("UPDATE workflows SET status = 'running' WHERE id = $1 AND status = 'pending'")
                .execute(Tuple.of(workflowId))
                .replaceWithVoid();
    }
}
