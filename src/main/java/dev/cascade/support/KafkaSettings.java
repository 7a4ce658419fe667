package dev.cascade.support;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;

/** Settings shared by the gateway's own Kafka clients (those it runs outside the reactive-messaging connector). */
public final class KafkaSettings {
    private KafkaSettings() {}

    /**
     * How the gateway's own producers compress their batches unless {@code kafka.compression.type} says otherwise.
     * Task and result records are JSON of a few hundred bytes that lz4 shrinks several times for little CPU: fewer
     * bytes for the broker to append, replicate and keep in its page cache, whose write-back every 30 s otherwise
     * stalls PostgreSQL's commits on a shared disk (docs/performance.md).
     */
    public static final String COMPRESSION = "lz4";

    /**
     * The shared broker settings ({@code kafka.*}: address, security) that a producer understands, plus what every
     * producer of the gateway needs: {@code acks=all} with idempotence, so an acknowledged record is on every in-sync
     * replica and a retried send is written once; batches compressed with {@link #COMPRESSION} unless the shared
     * settings name another codec. Keys a producer does not know are left out (Kafka would warn).
     */
    public static Map<String, Object> producer(Map<String, Object> kafka, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
        kafka.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }
}
