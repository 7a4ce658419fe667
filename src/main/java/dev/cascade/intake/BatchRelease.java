package dev.cascade.intake;

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
 * <p>The task publisher asks for it once its sending thread has no other publish queued: a submit's records then leave
 * as soon as the last of them is handed over, and a burst of queued submits shares the batches its linger gathers.
 */
final class BatchRelease implements AutoCloseable {
    private static final long CLOSE_WAIT_MS = 1_000;

    private final Producer<?, ?> producer;
    private final Thread thread;
    private final Object lock = new Object();
    private boolean requested;
    private boolean closed;

    BatchRelease(Producer<?, ?> producer, String name) {
        this.producer = producer;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for the buffered records to be sent now; returns at once. */
    void request() {
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
        return thread.isAlive();
    }
}
