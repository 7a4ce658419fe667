package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;
import dev.cascade.testing.KafkaResource;

/** The example consumer of docs/events.md is the one that works: it sees each settled task and each workflow once. */
@QuarkusTest
class ExampleConsumerTest {

    @Test
    void theExampleConsumerHandsOverEachSettledTaskAndTheCompletionOnceEvenWhenARecordArrivesTwice() throws Exception {
        Tenant tenant = Gateway.newTenant("example-" + UUID.randomUUID());
        JsonPath answer = tenant.submitForBody(Map.of(
                "contacts", List.of(Gateway.person(1), Gateway.person(2), Gateway.person(3), Gateway.person(4))));
        String workflowId = answer.getString("workflow_id");
        List<JsonNode> results = new ArrayList<>();
        List<JsonNode> completions = new ArrayList<>();
        EnrichmentEventsConsumer.Handler collect = new EnrichmentEventsConsumer.Handler() {
            @Override
            public void onResult(String orgId, JsonNode result) {
                if (orgId.equals(tenant.orgId())) {
                    results.add(result);
                }
            }

            @Override
            public void onWorkflowCompleted(String orgId, JsonNode workflow) {
                if (orgId.equals(tenant.orgId())) {
                    completions.add(workflow);
                }
            }
        };
        String group = "example-" + UUID.randomUUID();
        try (EnrichmentEventsConsumer events = new EnrichmentEventsConsumer(KafkaResource.bootstrapServers(), group)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                events.pollOnce(Duration.ofMillis(200), collect);
                return results.size() == 4 && completions.size() == 1;
            });

            // A copy of a result (what a redelivery looks like) is dropped on its ce_id.
            JsonNode first = results.get(0);
            RecordMetadata copy;
            try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
                ProducerRecord<String, String> record =
                        new ProducerRecord<>(EnrichmentEventsConsumer.RESULTS, workflowId, first.toString());
                record.headers()
                        .add("ce_id", bytes(first.path("task_id").asText() + ":result"))
                        .add("ce_type", bytes("dev.cascade.enrichment.result"))
                        .add("org_id", bytes(tenant.orgId()));
                copy = producer.send(record).get();
            }
            TopicPartition partition = new TopicPartition(copy.topic(), copy.partition());
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    events.pollOnce(Duration.ofMillis(200), collect);
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .get(partition);
                    return committed != null && committed.offset() > copy.offset();
                });
            }
        }

        assertThat(results)
                .extracting(r -> r.path("task_id").asText())
                .containsExactlyInAnyOrderElementsOf(answer.getList("task_ids", String.class));
        assertThat(completions).hasSize(1);
        assertThat(completions.get(0).path("workflow_id").asText()).isEqualTo(workflowId);
        assertThat(completions.get(0).path("summary").path("total").asInt()).isEqualTo(4);
    }

    @Test
    void theGuideShowsTheTestedExampleConsumerAndTheAsyncApiDocumentAsTheyAre() throws Exception {
        String guide = Files.readString(Path.of("docs", "events.md"));
        String source = Files.readString(Path.of("src/test/java/dev/cascade/events/EnrichmentEventsConsumer.java"))
                .replaceFirst("package dev\\.cascade\\.events;\\n\\n", "");
        assertThat(blocks(guide, "java")).as("the guide's Java blocks").contains(source);
        assertThat(blocks(guide, "yaml"))
                .as("the guide's YAML blocks")
                .contains(Files.readString(EventSchemas.DIR.resolve("asyncapi.yaml")));
    }

    private static List<String> blocks(String markdown, String language) {
        Matcher block = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
                .matcher(markdown);
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            blocks.add(block.group(1));
        }
        return blocks;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
