package dev.cascade.aggregation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.aggregation.StreamFollower.Settled;
import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Json;

/**
 * The one poller of this process that serves every open progress stream: each poll reads, in one statement, the row of
 * every workflow with open streams and its tasks settled after the furthest-behind of them, and hands each stream what
 * it has not had. A poll costs one statement per {@code cascade.stream.limits.workflows-per-read} workflows, whatever
 * the number of streams, and nothing when no stream is open.
 *
 * <p>Polls run one at a time, every {@code cascade.stream.poll-interval} (or the shortest interval an open stream asks
 * for). A new stream does not wait for the next tick: a poll runs at once for the streams no poll has served yet, and
 * only for their workflows. Everything is read from PostgreSQL, so a workflow settled by another process reaches the
 * streams here just the same.
 */
@ApplicationScoped
class StreamPoller {
    /**
     * Workflow rows and their tasks settled after a position, one row per task (or one with null task columns when
     * none), for many workflows at once. Row and tasks come from one statement's snapshot: a terminal row is read with
     * every task settled before it.
     */
    static final String READ = "SELECT w.*, t.id AS task_id, t.status AS task_status, t.settle_seq, t.result"
            + " FROM unnest($1::text[], $2::uuid[], $3::int[]) AS u(workflow_id, org_id, after)"
            + " CROSS JOIN LATERAL (SELECT " + WorkflowReader.COLUMNS
            + " FROM workflows WHERE id = u.workflow_id AND org_id = u.org_id) w"
            + " LEFT JOIN LATERAL (SELECT id, status, settle_seq, result::text AS result FROM tasks"
            + " WHERE workflow_id = u.workflow_id AND org_id = u.org_id AND settle_seq > u.after) t ON true"
            + " ORDER BY u.workflow_id, t.settle_seq";

    /** A poll that has not answered by then counts as failed, so one stuck read cannot stall every stream. */
    private static final Duration STUCK = Duration.ofSeconds(30);

    /** A workflow as an organisation sees it; streams of one workflow share its reads. */
    record Key(UUID orgId, String workflowId) {}

    /** What one read found for one workflow; {@code broken} when a stored result could not be read. */
    private static final class Snapshot {
        private final WorkflowView workflow;
        private final List<Settled> tasks = new ArrayList<>();
        private RuntimeException broken;

        Snapshot(WorkflowView workflow) {
            this.workflow = workflow;
        }
    }

    private final Pool pool;
    private final WorkflowReader reader;
    private final Json json;
    private final Vertx vertx;
    private final Duration interval;
    private final int workflowsPerRead;
    private final Counter polls;
    private final Counter reads;

    // Guarded by this.
    private final Map<Key, Set<StreamFollower>> watched = new HashMap<>();
    private boolean polling;
    private long timer = -1;
    private long nextTickAt;

    StreamPoller(Pool pool, WorkflowReader reader, Json json, Vertx vertx, CascadeConfig config, MeterRegistry meters) {
        this.pool = pool;
        this.reader = reader;
        this.json = json;
        this.vertx = vertx;
        this.interval = config.stream().pollInterval();
        this.workflowsPerRead = Math.max(1, config.stream().limits().workflowsPerRead());
        this.polls = Counter.builder("cascade.stream.polls")
                .description("Polls of the progress streams' shared poller that read PostgreSQL")
                .register(meters);
        this.reads = Counter.builder("cascade.stream.reads")
                .description("Statements the progress streams' shared poller sent to PostgreSQL")
                .register(meters);
    }

    /** Starts serving a stream: a poll for it runs at once unless one is running (then right after it). */
    synchronized void add(StreamFollower follower) {
        watched.computeIfAbsent(new Key(follower.orgId, follower.workflowId), k -> new LinkedHashSet<>())
                .add(follower);
        if (!polling) {
            cancelTimer();
            poll();
        }
    }

    /** Stops serving a stream (ended, or its client went away). */
    synchronized void remove(StreamFollower follower) {
        Key key = new Key(follower.orgId, follower.workflowId);
        Set<StreamFollower> followers = watched.get(key);
        if (followers != null && followers.remove(follower) && followers.isEmpty()) {
            watched.remove(key);
        }
    }

    /**
     * Starts one poll (the caller holds the lock and no poll is running): of every stream when the tick is due, else
     * of the streams no poll has served yet. Streams past their longest duration end here, without a read.
     */
    private void poll() {
        long now = System.nanoTime();
        boolean tick = now - nextTickAt >= 0;
        if (tick) {
            nextTickAt = now + tickInterval().toNanos();
        }
        List<StreamFollower> due = new ArrayList<>();
        List<StreamFollower> expired = new ArrayList<>();
        for (Set<StreamFollower> followers : watched.values()) {
            for (StreamFollower follower : followers) {
                if (follower.expired(now)) {
                    expired.add(follower);
                } else if (tick || follower.fresh) {
                    follower.fresh = false;
                    due.add(follower);
                }
            }
        }
        if (!expired.isEmpty()) {
            expired.forEach(this::remove);
            // Told outside the lock: completing a stream writes to its connection.
            vertx.runOnContext(() -> expired.forEach(StreamFollower::end));
        }
        if (due.isEmpty()) {
            schedule();
            return;
        }
        polling = true;
        polls.increment();
        read(due)
                .ifNoItem()
                .after(STUCK)
                .fail()
                .subscribe()
                .with(found -> finish(due, found, null), failure -> finish(due, Map.of(), failure));
    }

    /** The shortest interval an open stream asks for, never longer than the configured one. */
    private Duration tickInterval() {
        Duration shortest = interval;
        for (Set<StreamFollower> followers : watched.values()) {
            for (StreamFollower follower : followers) {
                if (follower.timing.pollInterval().compareTo(shortest) < 0) {
                    shortest = follower.timing.pollInterval();
                }
            }
        }
        return shortest;
    }

    /** Reads the due streams' workflows, in statements of at most {@code workflowsPerRead}, one after another. */
    private Uni<Map<Key, Snapshot>> read(List<StreamFollower> due) {
        // Each workflow is read from the furthest-behind of its due streams.
        Map<Key, Integer> after = new LinkedHashMap<>();
        for (StreamFollower follower : due) {
            after.merge(new Key(follower.orgId, follower.workflowId), follower.settled(), Math::min);
        }
        List<Map.Entry<Key, Integer>> entries = new ArrayList<>(after.entrySet());
        List<List<Map.Entry<Key, Integer>>> chunks = new ArrayList<>();
        for (int i = 0; i < entries.size(); i += workflowsPerRead) {
            chunks.add(entries.subList(i, Math.min(entries.size(), i + workflowsPerRead)));
        }
        Map<Key, Snapshot> found = new HashMap<>();
        return Multi.createFrom()
                .iterable(chunks)
                .onItem()
                .transformToUniAndConcatenate(chunk -> readChunk(chunk).invoke(found::putAll))
                .collect()
                .last()
                .replaceWith(found);
    }

    private Uni<Map<Key, Snapshot>> readChunk(List<Map.Entry<Key, Integer>> chunk) {
        String[] ids = new String[chunk.size()];
        UUID[] orgs = new UUID[chunk.size()];
        Integer[] positions = new Integer[chunk.size()];
        for (int i = 0; i < chunk.size(); i++) {
            ids[i] = chunk.get(i).getKey().workflowId();
            orgs[i] = chunk.get(i).getKey().orgId();
            positions[i] = chunk.get(i).getValue();
        }
        reads.increment();
        return pool.preparedQuery(READ).execute(Tuple.of(ids, orgs, positions)).map(rows -> {
            Map<Key, Snapshot> snapshots = new HashMap<>();
            for (Row row : rows) {
                Key key = new Key(row.getUUID("org_id"), row.getString("id"));
                Snapshot snapshot = snapshots.computeIfAbsent(key, k -> new Snapshot(reader.toView(row)));
                Integer seq = row.getInteger("settle_seq");
                if (seq != null && snapshot.broken == null) {
                    // One unreadable result ends its workflow's streams, not the poll of every other workflow.
                    try {
                        snapshot.tasks.add(new Settled(seq, items(row)));
                    } catch (RuntimeException e) {
                        snapshot.broken = e;
                    }
                }
            }
            return snapshots;
        });
    }

    /**
     * Hands each due stream what the poll found, then starts the next poll: at once when streams joined meanwhile,
     * else at the next tick. A failed read leaves the streams open; the next poll reads again from where they are.
     */
    private void finish(List<StreamFollower> due, Map<Key, Snapshot> found, Throwable failure) {
        if (failure != null) {
            Log.warnf(
                    "Progress streams: a poll of %d stream(s) failed, retried at the next tick: %s",
                    due.size(), failure.getMessage());
        }
        long now = System.nanoTime();
        List<StreamFollower> over = new ArrayList<>();
        for (StreamFollower follower : due) {
            if (follower.cancelled()) {
                continue;
            }
            try {
                if (failure != null) {
                    follower.idle(now);
                    continue;
                }
                Snapshot snapshot = found.get(new Key(follower.orgId, follower.workflowId));
                if (snapshot == null) {
                    // Gone (deleted past its retention): nothing more will come.
                    follower.end();
                    over.add(follower);
                } else if (snapshot.broken != null) {
                    follower.fail(snapshot.broken);
                    over.add(follower);
                } else if (follower.deliver(snapshot.workflow, snapshot.tasks, now)) {
                    over.add(follower);
                }
            } catch (RuntimeException e) {
                follower.fail(e);
                over.add(follower);
            }
        }
        synchronized (this) {
            over.forEach(this::remove);
            polling = false;
            boolean waiting = watched.values().stream().flatMap(Set::stream).anyMatch(f -> f.fresh);
            if (waiting) {
                poll();
            } else {
                schedule();
            }
        }
    }

    /** Sets the timer for the next tick (the caller holds the lock); none while no stream is open. */
    private void schedule() {
        cancelTimer();
        if (watched.isEmpty()) {
            return;
        }
        long delay = Math.max(1, (nextTickAt - System.nanoTime()) / 1_000_000);
        timer = vertx.setTimer(delay, fired -> {
            synchronized (this) {
                timer = -1;
                if (!polling) {
                    poll();
                }
            }
        });
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /**
     * The task's result items as the status endpoint lists them (§5.3): one per prospect row of a prospecting task,
     * else its item; only its id and status when it settled without one.
     */
    private List<JsonNode> items(Row row) {
        try {
            return ResultItems.of(
                    json.mapper(), row.getUUID("task_id"), row.getString("task_status"), row.getString("result"));
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Stored result of task " + row.getUUID("task_id") + " is unreadable", e);
        }
    }
}
