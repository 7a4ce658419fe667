package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * The waterfall's result producer (keys {@code cascade.waterfall.results.*}): a plain Kafka producer writing one
 * record per settled task to {@code enrichment.results}, with {@code acks=all} and idempotence. A task record is
 * acknowledged only once its result record is.
 */
public interface ResultProducerSettings {

    /**
     * How long the producer waits to fill a batch. Results of concurrent tasks arrive a few at a time, so a short
     * linger gathers them into fewer requests for the broker.
     */
    @WithDefault("2ms")
    Duration linger();

    /** Largest batch of result records per partition, in bytes. */
    @WithDefault("65536")
    int batchBytes();

    /**
     * Memory the producer may hold for unacknowledged results, in bytes. The tasks in flight
     * ({@code cascade.waterfall.max-in-flight}) bound what is outstanding anyway; a full buffer makes the sending thread
     * wait, never drops a result.
     */
    @WithDefault("8388608")
    long bufferBytes();

    /**
     * How long a result may take to be acknowledged; past it the task record goes to the dead-letter topic instead of
     * being held past the task consumer's unacknowledged-record age (180 s).
     */
    @WithDefault("20s")
    Duration deliveryTimeout();
}
