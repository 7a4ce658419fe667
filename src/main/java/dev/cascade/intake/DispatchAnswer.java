package dev.cascade.intake;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;

/**
 * The one decision of a dispatch's answer ({@link TaskPublisher#publish}): whichever comes first of the task records'
 * last acknowledgement ({@link #tasksDone}) and the dispatch deadline's timer decides, and the other changes nothing.
 * What must follow a dispatch is told to {@code dispatched} from that decision, before the answer is emitted, so it
 * never depends on the caller still listening (a caller that cancels only stops listening); a `started` record the
 * broker took for a dispatch that was not answered as dispatched goes to {@code startedOnItsOwn}.
 *
 * <p>The timer runs on the caller's Vert.x context, like the answer from the acknowledgements it races with, or on
 * Mutiny's scheduler for a caller without one.
 */
final class DispatchAnswer {
    private final UniEmitter<? super TaskPublisher.Started> emitter;
    private final Consumer<TaskPublisher.Started> dispatched;
    private final Runnable startedOnItsOwn;
    private final Context caller;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile long vertxTimer = -1;
    private volatile ScheduledFuture<?> scheduled;

    DispatchAnswer(
            UniEmitter<? super TaskPublisher.Started> emitter,
            Context caller,
            Consumer<TaskPublisher.Started> dispatched,
            Runnable startedOnItsOwn) {
        this.emitter = emitter;
        this.caller = caller;
        this.dispatched = dispatched;
        this.startedOnItsOwn = startedOnItsOwn;
        // A caller that stops listening (a closed connection) decides nothing: the records are in flight either way,
        // so the acknowledgements or the deadline still decide, and the emitter drops the answer nobody waits for.
    }

    /**
     * Starts the deadline: once it passed undecided, the answer is a {@code TimeoutException}. Called before any
     * record is handed to the producer, so no decision (the only place the timer is cancelled) can come before it.
     */
    void startTimer(Duration deadline) {
        long millis = Math.max(1, deadline.toMillis());
        Runnable expired = () -> fail(new TimeoutException(
                "the broker did not acknowledge every task record within " + deadline.toMillis() + " ms"));
        if (caller != null) {
            vertxTimer = caller.owner().setTimer(millis, id -> caller.runOnContext(ignored -> expired.run()));
        } else {
            scheduled = Infrastructure.getDefaultWorkerPool().schedule(expired, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Every task record was answered by the broker: {@code failed} is null when all were acknowledged; {@code started}
     * is what became of the `started` record by now.
     */
    void tasksDone(Exception failed, TaskPublisher.Started started) {
        boolean decides = answered.compareAndSet(false, true);
        if ((failed != null || !decides) && started == TaskPublisher.Started.ACKED) {
            // Not dispatched (refused, or the deadline passed first), yet the `started` record was taken: it is
            // confirmed on its own (one still in flight is, when its acknowledgement comes).
            startedOnItsOwn.run();
        }
        if (!decides) {
            return;
        }
        cancelTimer();
        if (failed == null) {
            try {
                dispatched.accept(started);
            } catch (Throwable broken) {
                // The answer must come whatever the follow-up does: a dispatch never answered would hold its caller
                // (a submit, or the sweeper's pass) for good. The follow-up did not confirm a `started` record the
                // broker took, so it is confirmed on its own (a second mark would change nothing).
                Log.errorf(broken, "What follows the dispatch failed");
                if (started == TaskPublisher.Started.ACKED) {
                    startedOnItsOwn.run();
                }
                emitter.fail(broken);
                return;
            }
            emitter.complete(started);
        } else {
            emitter.fail(failed);
        }
    }

    /** The dispatch failed before its records were answered (refused at once, or the deadline passed). */
    void fail(Exception failure) {
        if (answered.compareAndSet(false, true)) {
            cancelTimer();
            emitter.fail(failure);
        }
    }

    private void cancelTimer() {
        long timer = vertxTimer;
        if (timer >= 0) {
            caller.owner().cancelTimer(timer);
        }
        ScheduledFuture<?> future = scheduled;
        if (future != null) {
            future.cancel(false);
        }
    }
}
