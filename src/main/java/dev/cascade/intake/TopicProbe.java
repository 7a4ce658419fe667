package dev.cascade.intake;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.quarkus.logging.Log;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.PartitionInfo;

/**
 * Whether a producer knows a topic's partitions, so that a send to it does not block on metadata. A send to a topic
 * the producer has no metadata for blocks the calling thread (up to {@code max.block.ms}) while the producer asks the
 * broker; this loads the metadata on a thread of its own instead ({@link Producer#partitionsFor}), at start and again
 * after {@link #recheck()}, retrying every {@code retry} until the broker knows the topic.
 *
 * <p>The producer answers from the metadata it holds, so a probe right after a refusal usually finds the topic again
 * at once; what it guards against is a topic the producer holds no metadata for (not created yet, or dropped from its
 * metadata after the broker stopped knowing it). A topic deleted while the producer still holds its metadata is found
 * by a send: that one send may wait up to {@code max.block.ms}, fails, and the next probe takes over.
 */
final class TopicProbe implements AutoCloseable {
    private final Producer<?, ?> producer;
    private final String topic;
    private final Duration retry;
    private final ScheduledExecutorService probing;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Rechecks asked for so far: a probe that ran across one is followed by another. */
    private final AtomicLong rechecks = new AtomicLong();

    /** The recheck count a successful probe started under; ready while no recheck came after it. */
    private volatile long readyFor = -1;

    private volatile boolean closed;

    TopicProbe(Producer<?, ?> producer, String topic, Duration retry) {
        this.producer = producer;
        this.topic = topic;
        this.retry = retry;
        this.probing = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cascade-topic-probe-" + topic);
            thread.setDaemon(true);
            return thread;
        });
        start();
    }

    /** True once the producer knows the topic's partitions, until {@link #recheck()}. */
    boolean ready() {
        return readyFor == rechecks.get();
    }

    /** A send to the topic failed: not ready until a probe finds the topic again. */
    void recheck() {
        rechecks.incrementAndGet();
        start();
    }

    private void start() {
        if (closed || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            probing.execute(this::probe);
        } catch (RuntimeException rejected) {
            running.set(false);
        }
    }

    private void probe() {
        long asked = rechecks.get();
        try {
            List<PartitionInfo> partitions = producer.partitionsFor(topic);
            if (partitions != null && !partitions.isEmpty()) {
                // Ready only for the rechecks this probe started after: one that came while it ran still counts.
                readyFor = asked;
                running.set(false);
                // A recheck while this probe ran found it running and started none: probe again for it.
                if (rechecks.get() != asked) {
                    start();
                }
                return;
            }
            Log.debugf("Topic %s has no partitions yet; probing again in %s", topic, retry);
        } catch (RuntimeException failed) {
            Log.debugf("Topic %s not known yet (%s); probing again in %s", topic, failed.getMessage(), retry);
        }
        try {
            if (!closed) {
                probing.schedule(this::probe, retry.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
        } catch (RuntimeException rejected) {
            // closed meanwhile
        }
        running.set(false);
    }

    @Override
    public void close() {
        closed = true;
        probing.shutdownNow();
    }
}
