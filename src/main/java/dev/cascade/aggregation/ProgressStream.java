package dev.cascade.aggregation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Json;

/**
 * The progress of one workflow as a stream of events (§4.5): a {@link Task} per settled task in settlement order, a
 * {@link Status} per status change, ending with the terminal status.
 *
 * <p>Everything is read from PostgreSQL, so any replica can serve any stream and a client may resume on another one.
 * Each poll reads the workflow row first, then its tasks settled after the last one delivered ({@code settle_seq},
 * assigned under the workflow's row lock, grows in commit order without gaps). A terminal status is committed with
 * the last settlement, so once the row reads terminal the task read that follows sees every task: the terminal event
 * always comes after all of them.
 */
@ApplicationScoped
public class ProgressStream {
    static final String SETTLED_AFTER = "SELECT id, status, settle_seq, result::text AS result FROM tasks"
            + " WHERE workflow_id = $1 AND org_id = $2 AND settle_seq > $3 ORDER BY settle_seq";

    // The rank of a status, the second part of an event id.
    static final int PENDING = 0;
    static final int RUNNING = 1;
    static final int TERMINAL = 2;

    /** One event of the stream. */
    public sealed interface Event {}

    /** A task settled; {@code item} is its result item (§5.3) as stored, the status endpoint's item for it. */
    public record Task(Position id, JsonNode item) implements Event {}

    /** The workflow's status changed; {@code workflow} is the status endpoint's `workflow`, without results. */
    public record Status(Position id, WorkflowView workflow) implements Event {}

    /** Nothing happened for a heartbeat interval. */
    public record Heartbeat() implements Event {}

    /**
     * Where a client stands, and the id of every event: the highest {@code settle_seq} delivered and the rank of the
     * last status delivered, written {@code <settled>.<rank>}. A new stream starts before the first status (rank -1);
     * tasks sent before any status (a finished workflow's replay) carry rank 0, which resumes the same way: the
     * terminal status is still to come.
     */
    public record Position(int settled, int rank) {
        /** A new stream: nothing delivered yet. */
        public static final Position START = new Position(0, -1);

        private static final Pattern FORM = Pattern.compile("(0|[1-9][0-9]{0,8})\\.([012])");

        /** The position an event id names, or null when the text is not an id this stream gave out. */
        public static Position parse(String id) {
            Matcher m = FORM.matcher(id);
            return m.matches() ? new Position(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : null;
        }

        @Override
        public String toString() {
            return settled + "." + rank;
        }
    }

    private final Pool pool;
    private final WorkflowReader reader;
    private final Json json;
    private final Vertx vertx;
    private final CascadeConfig.Stream config;

    public ProgressStream(Pool pool, WorkflowReader reader, Json json, Vertx vertx, CascadeConfig config) {
        this.pool = pool;
        this.reader = reader;
        this.json = json;
        this.vertx = vertx;
        this.config = config.stream();
    }

    /** The rank of a workflow status: pending 0, running 1, any terminal status 2. */
    public static int rank(String status) {
        return switch (status) {
            case "pending" -> PENDING;
            case "completed", "completed_with_errors", "failed" -> TERMINAL;
            default -> RUNNING;
        };
    }

    /** True when a client at {@code from} has had everything this workflow will ever send. */
    public static boolean delivered(WorkflowView workflow, Position from) {
        return from.rank() == TERMINAL
                && rank(workflow.status()) == TERMINAL
                && from.settled() >= workflow.completedProspects() + workflow.failedProspects();
    }

    /**
     * Follows the organisation's workflow from {@code from} (the caller has checked that it is the organisation's):
     * polls every poll interval, completes after the terminal status event, or after the longest stream duration,
     * or when a read fails (the client resumes from its last event either way). Cancelling the subscription stops the
     * polling at once: the pending timer is cancelled.
     */
    public Multi<Event> follow(UUID orgId, String workflowId, Position from) {
        return follow(
                orgId, workflowId, from, new Timing(config.pollInterval(), config.heartbeat(), config.maxDuration()));
    }

    /** How often a stream looks, after how much silence it sends a heartbeat, and how long it stays open. */
    record Timing(Duration pollInterval, Duration heartbeat, Duration maxDuration) {}

    Multi<Event> follow(UUID orgId, String workflowId, Position from, Timing timing) {
        return Multi.createFrom().deferred(() -> {
            Follower follower = new Follower(from, timing, System.nanoTime());
            return Multi.createBy()
                    .repeating()
                    .uni(() -> follower.polled
                            ? pause(timing.pollInterval()).chain(() -> poll(orgId, workflowId, follower))
                            : poll(orgId, workflowId, follower))
                    .whilst(batch -> !batch.last())
                    .onItem()
                    .transformToIterable(Batch::events)
                    .onFailure()
                    .invoke(e -> Log.warnf(
                            "Progress stream of workflow %s stopped by a failed read (the client resumes): %s",
                            workflowId, e.getMessage()))
                    .onFailure()
                    .recoverWithCompletion();
        });
    }

    private Uni<Batch> poll(UUID orgId, String workflowId, Follower follower) {
        follower.polled = true;
        long now = System.nanoTime();
        if (now - follower.startedAt >= follower.timing.maxDuration().toNanos()) {
            return Uni.createFrom().item(new Batch(List.of(), true));
        }
        // The row first: if it reads terminal, every task was committed before it, and the read below sees them all.
        return reader.workflow(orgId, workflowId).chain(workflow -> {
            if (workflow == null) {
                return Uni.createFrom().item(new Batch(List.of(), true));
            }
            int settled = workflow.completedProspects() + workflow.failedProspects();
            Uni<List<Row>> tasks = settled > follower.at.settled()
                    ? settledAfter(orgId, workflowId, follower.at.settled())
                    : Uni.createFrom().item(List.of());
            return tasks.map(rows -> follower.advance(workflow, rows, System.nanoTime()));
        });
    }

    private Uni<List<Row>> settledAfter(UUID orgId, String workflowId, int settled) {
        return pool.preparedQuery(SETTLED_AFTER)
                .execute(Tuple.of(workflowId, orgId, settled))
                .map(rows -> {
                    List<Row> list = new ArrayList<>(rows.rowCount());
                    rows.forEach(list::add);
                    return list;
                });
    }

    /** Waits one poll interval on a Vert.x timer, which is cancelled when the stream is. */
    private Uni<Void> pause(Duration interval) {
        long delay = Math.max(1, interval.toMillis());
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(delay, fired -> emitter.complete(null));
            emitter.onTermination(() -> vertx.cancelTimer(timer));
        });
    }

    /** The events of one poll; {@code last} ends the stream after them. */
    private record Batch(List<Event> events, boolean last) {}

    /** What one stream has delivered so far. Used by one subscription, one poll at a time. */
    private final class Follower {
        private final Timing timing;
        private final long startedAt;
        private Position at;
        private long lastSentAt;
        private boolean polled;

        Follower(Position from, Timing timing, long now) {
            this.at = from;
            this.timing = timing;
            this.startedAt = now;
            this.lastSentAt = now;
        }

        Batch advance(WorkflowView workflow, List<Row> tasks, long now) {
            List<Event> events = new ArrayList<>(tasks.size() + 1);
            int rank = rank(workflow.status());
            if (rank < TERMINAL && rank > at.rank()) {
                at = new Position(at.settled(), rank);
                events.add(new Status(at, workflow));
            }
            for (Row task : tasks) {
                at = new Position(task.getInteger("settle_seq"), Math.max(at.rank(), PENDING));
                events.add(new Task(at, item(task)));
            }
            if (rank == TERMINAL && rank > at.rank()) {
                at = new Position(at.settled(), rank);
                events.add(new Status(at, workflow));
            }
            if (!events.isEmpty()) {
                lastSentAt = now;
            } else if (now - lastSentAt >= timing.heartbeat().toNanos()) {
                lastSentAt = now;
                events.add(new Heartbeat());
            }
            return new Batch(events, rank == TERMINAL);
        }
    }

    private JsonNode item(Row task) {
        String result = task.getString("result");
        if (result == null) {
            ObjectNode bare = json.mapper().createObjectNode();
            bare.put("task_id", task.getUUID("id").toString());
            bare.put("status", task.getString("status"));
            return bare;
        }
        try {
            return json.mapper().readTree(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored result of task " + task.getUUID("id") + " is unreadable", e);
        }
    }
}
