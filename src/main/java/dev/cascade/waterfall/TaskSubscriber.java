package dev.cascade.waterfall;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The end of the task-record stream: runs up to {@code maxInFlight} records at once and asks the connector for one more
 * record for each that is done (its result acknowledged, or the record dead-lettered). Requests are made on the
 * Vert.x context the records arrive on, so the connector keeps emitting from its own event loop whichever thread
 * finished a task (a producer's I/O thread, typically), and the requests of a burst of finished tasks go out together.
 */
final class TaskSubscriber implements Flow.Subscriber<Message<String>> {
    private final int maxInFlight;
    private final Function<Message<String>, Uni<Void>> process;
    /** Records finished and not yet requested again. */
    private final AtomicLong finished = new AtomicLong();

    private volatile Flow.Subscription subscription;
    /** The context the records arrive on; requests go through it. */
    private volatile Context context;

    TaskSubscriber(int maxInFlight, Function<Message<String>, Uni<Void>> process) {
        this.maxInFlight = maxInFlight;
        this.process = process;
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
        Uni<Void> work;
        try {
            work = process.apply(record);
        } catch (RuntimeException failed) {
            // process() turns every failure into a dead-lettered record; this is only a last resort.
            Log.errorf(failed, "A task record could not be started");
            requestOne();
            return;
        }
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
