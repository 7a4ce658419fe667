package dev.cascade.waterfall;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The end of the task-record stream: runs up to {@code maxInFlight} records at once and asks the connector for one more
 * record for each that is done (its result acknowledged, or the record dead-lettered). Requests are made on the
 * Vert.x context the records arrive on, so the connector keeps emitting from its own event loop whichever thread
 * finished a task (a producer's I/O thread, typically), and the requests of a burst of finished tasks go out together.
 *
 * <p>The connector delivers every record of the channel on one event loop. Run there, the tasks of a burst (a submit's
 * 250 contacts, or 2,500 slow tasks with their vendor calls and timers) queue behind each other on one core while the
 * others have room, and in front of whatever else that loop does, so each task runs on the next of the given event
 * loops in turn ({@link TaskLoops}, the waterfall's own), on a duplicated context of its own (as a record's processing
 * has on its arrival loop). A record is still taken on (the drain's admission) on the arrival context and in arrival
 * order; only its work moves. Tasks share nothing that needs one thread: the stream's requests go back to the
 * arrival context, acknowledgements are moved onto the consumer's context by the connector.
 */
final class TaskSubscriber implements Flow.Subscriber<Message<String>> {
    private final int maxInFlight;
    private final Function<Message<String>, Uni<Void>> process;
    /** Records finished and not yet requested again. */
    private final AtomicLong finished = new AtomicLong();

    private volatile Flow.Subscription subscription;
    /** The context the records arrive on; requests go through it. */
    private volatile Context context;
    /** The event loops the tasks run on in turn; empty: on the context their records arrive on. */
    private final Context[] loops;
    /** The loop of the next record (records arrive one at a time, on one context). */
    private int next;

    TaskSubscriber(int maxInFlight, Function<Message<String>, Uni<Void>> process, Context[] loops) {
        this.maxInFlight = maxInFlight;
        this.process = process;
        this.loops = loops.clone();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(maxInFlight);
    }

    @Override
    public void onNext(Message<String> record) {
        if (context == null) {
            context = Vertx.currentContext();
        }
        // The record is taken on here, in the order the records arrive (offset order within a partition: what the
        // drain admits at shutdown is a prefix of each partition, so the commit at close covers every admitted task);
        // only the work it describes runs on the next loop.
        Uni<Void> work;
        try {
            work = process.apply(record);
        } catch (RuntimeException failed) {
            // process() turns every failure into a dead-lettered record; this is only a last resort.
            Log.errorf(failed, "A task record could not be started");
            requestOne();
            return;
        }
        if (loops.length > 0) {
            // Each task on a duplicated context of the next loop: its own context-local data, as on the arrival loop.
            ContextInternal loop = ((ContextInternal) loops[next]).duplicate();
            next = (next + 1) % loops.length;
            loop.runOnContext(ignored -> run(work));
        } else {
            run(work);
        }
    }

    private void run(Uni<Void> work) {
        work.subscribe().with(done -> requestOne(), failure -> {
            Log.errorf(failure, "A task record ended with an unexpected failure");
            requestOne();
        });
    }

    /** One record is done: ask for the next, together with those finished meanwhile. */
    private void requestOne() {
        if (finished.getAndIncrement() > 0) {
            return;
        }
        Context on = context;
        if (on == null || on == Vertx.currentContext()) {
            flush();
        } else {
            on.runOnContext(ignored -> flush());
        }
    }

    private void flush() {
        long n = finished.getAndSet(0);
        if (n > 0) {
            subscription.request(n);
        }
    }

    @Override
    public void onError(Throwable failure) {
        Log.errorf(failure, "The task-record stream failed");
    }

    @Override
    public void onComplete() {
        Log.debug("The task-record stream completed");
    }
}
