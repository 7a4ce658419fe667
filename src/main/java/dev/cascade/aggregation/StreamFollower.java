package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.subscription.MultiEmitter;

import dev.cascade.aggregation.ProgressStream.Event;
import dev.cascade.aggregation.ProgressStream.Heartbeat;
import dev.cascade.aggregation.ProgressStream.Position;
import dev.cascade.aggregation.ProgressStream.Status;
import dev.cascade.aggregation.ProgressStream.Task;
import dev.cascade.aggregation.ProgressStream.Timing;

/**
 * One open stream as the shared {@link StreamPoller} serves it: where its client stands and where its events go. The
 * poller serves one follower from one poll at a time, so its position needs no lock of its own.
 */
final class StreamFollower {
    /**
     * A task settled after some position: its place in the settlement order and its result items (§5.3: one per
     * prospect row of a prospecting task, else one).
     */
    record Settled(int seq, List<JsonNode> items) {}

    final UUID orgId;
    final String workflowId;
    final Timing timing;
    private final long startedAt;
    private final MultiEmitter<? super Event> emitter;
    private Position at;
    private long lastSentAt;

    /** Not served by any poll yet: the poller reads for it at once rather than at its next tick. */
    boolean fresh = true;

    StreamFollower(
            UUID orgId,
            String workflowId,
            Position from,
            Timing timing,
            long now,
            MultiEmitter<? super Event> emitter) {
        this.orgId = orgId;
        this.workflowId = workflowId;
        this.timing = timing;
        this.at = from;
        this.startedAt = now;
        this.lastSentAt = now;
        this.emitter = emitter;
    }

    int settled() {
        return at.settled();
    }

    boolean expired(long now) {
        return now - startedAt >= timing.maxDuration().toNanos();
    }

    boolean cancelled() {
        return emitter.isCancelled();
    }

    /**
     * Sends what one read found: a non-terminal status change first, then the tasks this client has not had (the
     * read may hold earlier ones for other clients of the workflow), then a terminal status. A terminal status is
     * committed with the last settlement and read in the same statement, so it always follows every task.
     *
     * @return true when the stream is over (its terminal event is sent and the stream completed)
     */
    boolean deliver(WorkflowView workflow, List<Settled> tasks, long now) {
        List<Event> events = new ArrayList<>(tasks.size() + 1);
        int rank = ProgressStream.rank(workflow.status());
        if (rank < ProgressStream.TERMINAL && rank > at.rank()) {
            at = new Position(at.settled(), rank);
            events.add(new Status(at, workflow));
        }
        for (Settled task : tasks) {
            if (task.seq() > at.settled()) {
                at = new Position(task.seq(), Math.max(at.rank(), ProgressStream.PENDING));
                // Only a task's last item carries the id: a client cut off between its rows resumes before the task
                // and gets all its rows again, never a task with rows missing.
                List<JsonNode> items = task.items();
                for (int i = 0; i < items.size(); i++) {
                    events.add(new Task(i == items.size() - 1 ? at : null, items.get(i)));
                }
            }
        }
        if (rank == ProgressStream.TERMINAL && rank > at.rank()) {
            at = new Position(at.settled(), rank);
            events.add(new Status(at, workflow));
        }
        if (!events.isEmpty()) {
            lastSentAt = now;
        } else {
            heartbeatIfDue(events, now);
        }
        events.forEach(emitter::emit);
        if (rank == ProgressStream.TERMINAL) {
            emitter.complete();
            return true;
        }
        return false;
    }

    /** A poll that found nothing for this stream (its read failed): only a heartbeat when one is due. */
    void idle(long now) {
        List<Event> events = new ArrayList<>(1);
        heartbeatIfDue(events, now);
        events.forEach(emitter::emit);
    }

    /** Ends the stream without a terminal event; the client resumes from its last event id. */
    void end() {
        emitter.complete();
    }

    void fail(Throwable failure) {
        emitter.fail(failure);
    }

    private void heartbeatIfDue(List<Event> events, long now) {
        if (now - lastSentAt >= timing.heartbeat().toNanos()) {
            lastSentAt = now;
            events.add(new Heartbeat());
        }
    }
}
