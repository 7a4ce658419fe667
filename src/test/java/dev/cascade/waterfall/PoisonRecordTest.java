package dev.cascade.waterfall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;

/** A task record that cannot be read goes to the dead-letter topic and the consumer carries on. */
@QuarkusTest
class PoisonRecordTest {

    @Test
    void anUnreadableTaskRecordIsDeadLetteredAndLaterTasksStillRun() throws Exception {
        String key = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            producer.send(new ProducerRecord<>("enrichment.tasks", key, "{not json"))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.tasks", key + "-2", "{\"task_id\":\"nope\"}"))
                    .get();
        }
        Tenant tenant = Gateway.newTenant("poison-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of("contacts", List.of(Gateway.person(1), Gateway.person(2))));
        assertThat(tenant.awaitTerminal(workflowId, Duration.ofSeconds(30)).getString("workflow.status"))
                .isEqualTo("completed");

        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("dlq-reader", "earliest")) {
            consumer.subscribe(List.of("enrichment.tasks.dlq"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && r.key().startsWith(key)) {
                        dead.add(r);
                    }
                });
                return dead.size() == 2;
            });
        }
        assertThat(dead)
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("{not json", "{\"task_id\":\"nope\"}");
        assertThat(dead.get(0).headers().lastHeader("dead-letter-reason")).isNotNull();
    }
}
