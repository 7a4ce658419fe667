package dev.cascade.aggregation;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;

import dev.cascade.config.CascadeConfig;

/**
 * The progress of one workflow as a stream of events (§4.5): a {@link Task} per settled task in settlement order, a
 * {@link Status} per status change, ending with the terminal status.
 *
 * <p>Everything is read from PostgreSQL, so any replica can serve any stream and a client may resume on another one.
 * The process's one {@link StreamPoller} reads, per poll and in one statement, every watched workflow's row with its
 * tasks settled after the last one delivered ({@code settle_seq}, assigned under the workflow's row lock, grows in
 * commit order without gaps). A terminal status is committed with the last settlement, so a row read terminal comes
 * with every task: the terminal event always comes after all of them.
 */
@ApplicationScoped
public class ProgressStream {
    /**
     * Events one stream may have waiting for a slow client. A workflow has at most 250 tasks, so a stream never holds
     * more than its tasks, two statuses and the heartbeats of its longest duration.
     */
    private static final int BUFFER = 1024;

    // The rank of a status, the second part of an event id.
    static final int PENDING = 0;
    static final int RUNNING = 1;
    static final int TERMINAL = 2;

    /** One event of the stream. */
    public sealed interface Event {}

    /**
     * A task settled; {@code item} is one of its result items (§5.3) exactly as the status endpoint lists it: a
     * prospecting task gives one event per prospect row. {@code id} is null on every item of a task but its last, so
     * the task's position is reached only once all its rows are out.
     */
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

    private final StreamPoller poller;
    private final CascadeConfig.Stream config;

    public ProgressStream(StreamPoller poller, CascadeConfig config) {
        this.poller = poller;
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
     * completes after the terminal status event, or after the longest stream duration, or when the workflow is gone
     * (the client resumes from its last event either way). The process's shared {@link StreamPoller} does the reading;
     * cancelling the subscription takes the stream off it at once.
     */
    public Multi<Event> follow(UUID orgId, String workflowId, Position from) {
        return follow(
                orgId, workflowId, from, new Timing(config.pollInterval(), config.heartbeat(), config.maxDuration()));
    }

    /**
     * How often a stream wants news (the shared poller reads at the shortest interval any open stream asks for, never
     * less often than `cascade.stream.poll-interval`), after how much silence it sends a heartbeat, and how long it
     * stays open.
     */
    record Timing(Duration pollInterval, Duration heartbeat, Duration maxDuration) {}

    Multi<Event> follow(UUID orgId, String workflowId, Position from, Timing timing) {
        return Multi.createFrom()
                .<Event>emitter(
                        emitter -> {
                            StreamFollower follower =
                                    new StreamFollower(orgId, workflowId, from, timing, System.nanoTime(), emitter);
                            emitter.onTermination(() -> poller.remove(follower));
                            poller.add(follower);
                        },
                        BUFFER)
                .onFailure()
                .invoke(e -> Log.warnf(
                        "Progress stream of workflow %s stopped by a failed read (the client resumes): %s",
                        workflowId, e.getMessage()))
                .onFailure()
                .recoverWithCompletion();
    }
}
