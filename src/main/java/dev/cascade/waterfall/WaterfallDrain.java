package dev.cascade.waterfall;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import org.eclipse.microprofile.reactive.messaging.Message;

import dev.cascade.config.CascadeConfig;

/**
 * Drain on shutdown. At SIGTERM (a JVM shutdown hook, so it starts at once, while Quarkus still lets in-flight HTTP
 * requests finish) the waterfall stops taking task records: a record that arrives after it is left unacknowledged
 * and is redelivered to another process without a vendor call made here. The tasks already admitted run on; at
 * {@link ShutdownEvent}, before the Kafka connector closes its consumers and producers, the shutdown waits until
 * every one of them has had its result written and its record acknowledged, or until
 * {@code cascade.waterfall.drain.timeout} after SIGTERM. The connector then commits what was acknowledged. Records of
 * one partition start in offset order, so the admitted ones are a prefix of what was fetched: once they are all
 * acknowledged, the committed offset covers every task that finished here, and none of them runs again elsewhere.
 * Only a task still running at the bound is left to redelivery (and calls its vendors again).
 */
@ApplicationScoped
public class WaterfallDrain {
    private final Duration bound;
    private final Thread hook = new Thread(this::begin, "waterfall-drain");
    /** Admitted task records not yet acknowledged or nacked; guarded by this. */
    private int inFlight;
    /** Guarded by this. */
    private boolean draining;
    /** When the drain ends at the latest ({@link System#nanoTime()}); guarded by this. */
    private long deadline;

    public WaterfallDrain(CascadeConfig config) {
        this.bound = config.waterfall().drain().timeout();
    }

    void onStart(@Observes StartupEvent event) {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Admits a task record; false once the drain began: the record is then never acknowledged here, and is redelivered.
     * An admitted record must be {@link #track tracked}.
     */
    synchronized boolean admit() {
        if (draining) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** Whether the drain began (no record is admitted any more). */
    synchronized boolean draining() {
        return draining;
    }

    /**
     * The admitted record, with its acknowledgement and negative acknowledgement (a dead-lettered record) each
     * counting it out once they are done: only then is its offset known to the commit strategy.
     */
    <T> Message<T> track(Message<T> record) {
        AtomicBoolean settled = new AtomicBoolean();
        Runnable out = () -> {
            if (settled.compareAndSet(false, true)) {
                done();
            }
        };
        return record.withAckWithMetadata(
                        metadata -> record.ack(metadata).whenComplete((ignored, failure) -> out.run()))
                .withNackWithMetadata((reason, metadata) ->
                        record.nack(reason, metadata).whenComplete((ignored, failure) -> out.run()));
    }

    private synchronized void done() {
        inFlight--;
        if (draining && inFlight == 0) {
            notifyAll();
        }
    }

    /** Starts the drain; only the first call counts (SIGTERM's hook, else the shutdown event). */
    synchronized void begin() {
        if (!draining) {
            draining = true;
            deadline = System.nanoTime() + bound.toNanos();
            Log.infof("Waterfall draining: no new task records; %d tasks in flight get up to %s", inFlight, bound);
        }
    }

    /**
     * Runs before the application scope is destroyed, where the Kafka connector closes the task consumer (committing
     * the acknowledged offsets) and the result producer: waits for the tasks in flight, within the bound. First among
     * the shutdown observers, so that what the running tasks use (the database pool, the vendor client) is still
     * open.
     */
    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting (SIGTERM): the hook has run or runs now; begin() below is idempotent.
        }
        begin();
        awaitDrained();
    }

    private synchronized void awaitDrained() {
        int atStart = inFlight;
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight > 0) {
            Log.warnf(
                    "Waterfall drain bound (%s) reached with %d tasks in flight: they are left to redelivery and will"
                            + " call their vendors again on another process",
                    bound, inFlight);
        } else if (atStart > 0) {
            Log.infof("Waterfall drained: %d tasks finished and their results written", atStart);
        }
    }
}
