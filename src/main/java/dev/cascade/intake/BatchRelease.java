package dev.cascade.intake;

import java.util.concurrent.atomic.AtomicInteger;

import io.quarkus.logging.Log;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Sends a producer's open batches at once when asked, instead of when their linger runs out: {@link #request} is
 * answered by a {@code flush()} on a thread of its own, which makes every buffered record ready to send and then waits
 * for their acknowledgements (that wait is why it is not the caller's thread). While it waits, Kafka treats every
 * batch as ready, so records handed over meanwhile are sent at once too, in batches of what is there. Requests that
 * come while a flush runs are answered by one more flush after it.
 *
 * <p>It also decides when, for the task publisher: the publisher tells it of each publish queued, started, refused and
 * handed over, and it releases once a publish was handed over with no other publish queued ({@link #handedOver}): a
 * submit's records then leave as soon as the last of them is handed over, and a burst of queued submits shares the
 * batches its linger gathers.
 */
final class BatchRelease implements AutoCloseable {
    private static final long CLOSE_WAIT_MS = 1_000;

    private final Producer<?, ?> producer;
    /** Null for {@link #off()}. */
    private final Thread thread;

    private final Object lock = new Object();
    private boolean requested;
    private boolean closed;
    /** Publishes queued for the sending thread and not started yet (preparations hand nothing to the producer). */
    private final AtomicInteger queued = new AtomicInteger();

    BatchRelease(Producer<?, ?> producer, String name) {
        this.producer = producer;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private BatchRelease() {
        this.producer = null;
        this.thread = null;
    }

    /** Releases nothing: batches wait for their linger (tests over a producer whose flush acknowledges sends). */
    static BatchRelease off() {
        return new BatchRelease();
    }

    /** A publish is about to be queued for the sending thread. */
    void queued() {
        queued.incrementAndGet();
    }

    /** The sending thread starts a queued publish. */
    void started() {
        queued.decrementAndGet();
    }

    /** A publish could not be queued (the queue is full): what the publishes before it handed over goes now. */
    void refused() {
        queued.decrementAndGet();
        request();
    }

    /**
     * On the sending thread, after a publish handed its records over: once no other publish is queued, the records
     * handed over since the last release are sent at once rather than after the linger (a queued preparation does not
     * hold them back: it hands nothing over). A publish queued meanwhile does the same when it is done, so no release
     * is missed; a burst of submits is released after its last one, in the batches it filled.
     */
    void handedOver() {
        if (queued.get() == 0) {
            request();
        }
    }

    /** Asks for the buffered records to be sent now; returns at once. */
    void request() {
        if (thread == null) {
            return;
        }
        synchronized (lock) {
            if (!requested) {
                requested = true;
                lock.notify();
            }
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                while (!requested && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                requested = false;
            }
            try {
                producer.flush();
            } catch (InterruptException interrupted) {
                return;
            } catch (RuntimeException failed) {
                // A closed producer, or one that failed fatally: the sends report their own outcome to their callers.
                Log.debugf("Flushing the task records failed: %s", failed.getMessage());
            }
        }
    }

    /**
     * Stops the thread and waits (briefly) for it to end; a flush under way is interrupted (the producer's close sends
     * what is left).
     */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        synchronized (lock) {
            closed = true;
            lock.notify();
        }
        thread.interrupt();
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the thread still runs (tests). */
    boolean running() {
        return thread != null && thread.isAlive();
    }
}
