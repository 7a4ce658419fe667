package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
    @Test
    void theGatewaysProducersAreDurableIdempotentAndCompressWithLz4() {
        Map<String, Object> config =
                KafkaSettings.producer(Map.of("bootstrap.servers", "127.0.0.1:9092", "group.id", "x"), "client");

        assertThat(config)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "client")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                // A consumer's key is left out.
                .doesNotContainKey("group.id");
    }

    @Test
    void theSharedSettingsNameAnotherCodec() {
        Map<String, Object> config = KafkaSettings.producer(Map.of("compression.type", "zstd"), "client");

        assertThat(config).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    }
}
