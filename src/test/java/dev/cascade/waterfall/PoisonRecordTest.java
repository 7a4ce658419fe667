package dev.cascade.waterfall;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.cascade.events.EventSchemas;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;

/**
 * A task record that cannot be read goes to the dead-letter topic with the reason in its headers, and the consumer
 * carries on: the record after it on the same partition runs, the group's committed offset moves past both, and the
 * gateway stays live and ready.
 */
@QuarkusTest
class PoisonRecordTest {
    private static final String TASKS = "enrichment.tasks";
    private static final TopicPartition PARTITION = new TopicPartition(TASKS, 0);

    @Test
    void unreadableTaskRecordsAreDeadLetteredWithTheirReasonAndTheRecordAfterThemOnThePartitionRuns() throws Exception {
        String key = "poison-" + UUID.randomUUID();
        UUID nextTask = UUID.randomUUID();
        Map<String, String> poison = Map.of(
                key + "-1", "{not json",
                key + "-2", "{\"task_id\":\"nope\"}",
                key + "-3", "{\"task_id\":\"" + UUID.randomUUID() + "\"}",
                // Readable, but not processable: no enrichment type (with a budget, which once threw outside the
                // pipeline and ended the consumer), and an unknown one.
                key + "-4",
                        "{\"task_id\":\"" + UUID.randomUUID() + "\",\"workflow_id\":\"public_bulk_" + UUID.randomUUID()
                                + "\",\"org_id\":\"" + UUID.randomUUID() + "\",\"contact\":{},\"max_credits\":1}",
                key + "-5",
                        "{\"task_id\":\"" + UUID.randomUUID() + "\",\"workflow_id\":\"public_bulk_" + UUID.randomUUID()
                                + "\",\"org_id\":\"" + UUID.randomUUID()
                                + "\",\"enrichment_type\":\"bogus\",\"contact\":{}}");
        double deadLetteredBefore = Gateway.metricSum("cascade_waterfall_dead_lettered_total");
        Map<String, RecordMetadata> written = new HashMap<>();
        RecordMetadata next;
        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            for (String k : List.of(key + "-1", key + "-2", key + "-3", key + "-4", key + "-5")) {
                written.put(
                        k,
                        producer.send(new ProducerRecord<>(TASKS, PARTITION.partition(), k, poison.get(k)))
                                .get());
            }
            String valid = taskRecord(nextTask);
            assertThat(isTaskRecord(valid)).as(valid).isTrue();
            next = producer.send(new ProducerRecord<>(TASKS, PARTITION.partition(), nextTask.toString(), valid))
                    .get();
        }

        // Workflows submitted after them still complete.
        Tenant tenant = Gateway.newTenant("poison-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of("contacts", List.of(Gateway.person(1), Gateway.person(2))));
        assertThat(tenant.awaitTerminal(workflowId, Duration.ofSeconds(30)).getString("workflow.status"))
                .isEqualTo("completed");

        // Each poison record is on the dead-letter topic as it was, with why, and from where, in its headers.
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("dlq-reader", "earliest")) {
            consumer.subscribe(List.of("enrichment.tasks.dlq"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && r.key().startsWith(key)) {
                        dead.add(r);
                    }
                });
                return dead.size() == poison.size();
            });
        }
        for (ConsumerRecord<String, String> record : dead) {
            String headers = EventSchemas.headersAsJson(record.headers());
            assertThat(record.value()).as(headers).isEqualTo(poison.get(record.key()));
            assertThat(EventSchemas.headerErrors("dead-letter-headers.schema.json", record.headers()))
                    .as(headers)
                    .isEmpty();
            assertThat(header(record, "dead-letter-reason")).as(headers).isNotBlank();
            assertThat(header(record, "dead-letter-topic")).isEqualTo(TASKS);
            assertThat(header(record, "dead-letter-partition")).isEqualTo(String.valueOf(PARTITION.partition()));
            assertThat(header(record, "dead-letter-offset"))
                    .isEqualTo(String.valueOf(written.get(record.key()).offset()));
            // The published schema agrees with the consumer: what it could not read is no task record.
            assertThat(isTaskRecord(record.value())).as(record.value()).isFalse();
        }
        // Counted for the alert on dead letters (CascadeDeadLetters): at least these five (other tests may add).
        assertThat(Gateway.metricSum("cascade_waterfall_dead_lettered_total") - deadLetteredBefore)
                .isGreaterThanOrEqualTo(poison.size());
        assertThat(dead)
                .extracting(r -> header(r, "dead-letter-reason"))
                .contains(
                        "Unreadable JSON for TaskRecord", "task record lacks task_id, workflow_id, org_id or contact");

        // The valid record behind them on the same partition ran: its result was published.
        List<String> resultIds = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("after-poison", "earliest")) {
            consumer.subscribe(List.of("enrichment.results"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> resultIds.add(header(r, "ce_id")));
                return resultIds.contains(nextTask + ":result");
            });
        }

        // The waterfall's group committed past all of them: the partition is not held back by the poison.
        KafkaClients.awaitCommittedPast("cascade-waterfall", PARTITION, next.offset());

        given().when().get(Gateway.management("/q/health/live")).then().statusCode(200);
        given().when().get(Gateway.management("/q/health/ready")).then().statusCode(200);
    }

    /** Whether a value matches the published schema of a (replayable) dead-lettered task record. */
    private static boolean isTaskRecord(String value) {
        try {
            return EventSchemas.errors("task-dead-letter.schema.json", value).isEmpty();
        } catch (RuntimeException notJson) {
            return false;
        }
    }

    /** A well-formed task record of type none (no provider runs) for a task the database does not know. */
    private static String taskRecord(UUID taskId) {
        return """
                {"task_id":"%s","workflow_id":"public_bulk_%s","org_id":"%s","lead_list_id":"%s","index":0,
                 "enrichment_type":"none","contact":{"first_name":"Ada","last_name":"Poison","company_domain":"example.com"}}
                """.formatted(taskId, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
