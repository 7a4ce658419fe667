package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;

/** What another team's plain Kafka consumer sees of a workflow (contract §8). */
@QuarkusTest
class TopicContractTest {
    private static final JsonMapper JSON = JsonMapper.shared();

    @Test
    void aWorkflowShowsOneRecordPerTaskOnEachTopicAndItsLifecycle() {
        Tenant tenant = Gateway.newTenant("topics-" + UUID.randomUUID());
        String workflowId;
        List<ConsumerRecord<String, String>> tasks = new ArrayList<>();
        List<ConsumerRecord<String, String>> results = new ArrayList<>();
        List<ConsumerRecord<String, String>> lifecycle = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("contract-test", "latest")) {
            consumer.subscribe(List.of("enrichment.tasks", "enrichment.results", "enrichment.workflows"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            workflowId =
                    tenant.submit(Map.of("contacts", List.of(Gateway.person(1), Gateway.person(2), Gateway.person(3))));
            String id = workflowId;
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!record.value().contains(id)) {
                        continue;
                    }
                    switch (record.topic()) {
                        case "enrichment.tasks" -> tasks.add(record);
                        case "enrichment.results" -> results.add(record);
                        default -> lifecycle.add(record);
                    }
                }
                return results.size() >= 3 && lifecycle.size() >= 2;
            });
        }
        assertThat(tasks).hasSize(3);
        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.key()).isEqualTo(workflowId));
        // Task records are keyed by their workflow, like results: a submit's records share one partition.
        assertThat(tasks).allSatisfy(r -> assertThat(r.key()).isEqualTo(workflowId));
        assertThat(tasks.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
        assertThat(tasks).allSatisfy(r -> assertThat(header(r, "ce_id")).isEqualTo(taskId(r)));
        // Each result's id is its task's id + ":result": derived from the task alone, so every copy of a result carries
        // the same id (de-duplication on ce_id), yet never the id of the task record it answers.
        assertThat(results)
                .extracting(r -> header(r, "ce_id"))
                .containsExactlyInAnyOrderElementsOf(
                        tasks.stream().map(r -> taskId(r) + ":result").toList());
        // CloudEvents: source + id names one event, so no two kinds of event share it.
        Set<String> taskEvents = new HashSet<>();
        for (ConsumerRecord<String, String> task : tasks) {
            taskEvents.add(header(task, "ce_source") + " " + header(task, "ce_id"));
        }
        assertThat(concat(results, lifecycle))
                .extracting(r -> header(r, "ce_source") + " " + header(r, "ce_id"))
                .doesNotHaveDuplicates()
                .noneMatch(taskEvents::contains);
        for (ConsumerRecord<String, String> record : concat(tasks, results, lifecycle)) {
            assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(record, "ce_source")).isNotBlank();
            assertThat(header(record, "ce_type")).startsWith("dev.cascade.");
            assertThat(header(record, "ce_time")).endsWith("Z");
            assertThat(header(record, "org_id")).isEqualTo(tenant.orgId());
        }
        assertThat(lifecycle)
                .extracting(r -> header(r, "ce_type"))
                .containsExactly(
                        "dev.cascade.enrichment.workflow.started", "dev.cascade.enrichment.workflow.completed");
        assertThat(lifecycle.get(1).value()).contains("\"summary\"").contains("\"total\":3");
        assertThat(results.get(0).value())
                .contains("\"charged_credits\"")
                .contains("\"trace\"")
                .contains("\"enrichment_type\":\"partial\"");
    }

    @SafeVarargs
    private static List<ConsumerRecord<String, String>> concat(List<ConsumerRecord<String, String>>... lists) {
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        for (List<ConsumerRecord<String, String>> list : lists) {
            all.addAll(list);
        }
        return all;
    }

    /** The task id a task record carries in its value. */
    private static String taskId(ConsumerRecord<String, String> record) {
        return JSON.readTree(record.value()).path("task_id").asString();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
