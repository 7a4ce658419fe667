package dev.cascade.waterfall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;
import dev.cascade.testing.VendorStubs;

/**
 * A task record delivered again after its task settled (an offset lost in a crash, a record the dispatch sweeper
 * re-published) runs nothing: its claim answers "settled", so no vendor is called again, no second result goes to the
 * result topic, and the record is acknowledged, so the partition moves on.
 */
@QuarkusTest
class SettledTaskRecordTest {
    private static final String TASKS = "enrichment.tasks";

    @Test
    void aSettledTasksRecordDeliveredAgainCallsNoVendorAndPublishesNoSecondResult() throws Exception {
        String name = "Settled" + UUID.randomUUID().toString().substring(0, 8);
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo(name))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody(
                                        "{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},"
                                                + "\"meta\":{}}")));
        Map<String, Object> waterfall = Map.of("email", List.of("t-hunter"));
        Map<String, Object> contact =
                Map.of("first_name", name, "last_name", "Again", "company_domain", "settled-again.example");
        Tenant tenant = Gateway.newTenant("settled-record-" + UUID.randomUUID());
        JsonPath accepted = tenant.submitForBody(
                Map.of("enrichment_type", "partial", "waterfall", waterfall, "contacts", List.of(contact)));
        String workflowId = accepted.getString("workflow_id");
        String taskId = accepted.getString("task_ids[0]");
        assertThat(tenant.awaitTerminal(workflowId, Duration.ofSeconds(30)).getString("workflow.status"))
                .isEqualTo("completed");
        int callsBefore = vendorCalls(name);
        assertThat(callsBefore).isPositive();
        double settledBefore = Gateway.metricSum("cascade_waterfall_settled_records_total");

        // The task's record again, as the intake wrote it.
        String record = """
                {"task_id":"%s","workflow_id":"%s","org_id":"%s","lead_list_id":"%s","index":0,
                 "enrichment_type":"partial","contact":{"first_name":"%s","last_name":"Again",
                 "company_domain":"settled-again.example"},"waterfall":{"email":["t-hunter"]}}
                """.formatted(taskId, workflowId, tenant.orgId(), UUID.randomUUID(), name);
        RecordMetadata written;
        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            written = producer.send(new ProducerRecord<>(TASKS, taskId, record)).get();
        }

        // The waterfall's group commits past it: the record was handled and acknowledged.
        TopicPartition partition = new TopicPartition(TASKS, written.partition());
        KafkaClients.awaitCommittedPast("cascade-waterfall", partition, written.offset());

        assertThat(vendorCalls(name)).isEqualTo(callsBefore);
        assertThat(Gateway.metricSum("cascade_waterfall_settled_records_total") - settledBefore)
                .isGreaterThanOrEqualTo(1);
        // One result record for the task on the result topic: the first run's.
        List<String> results = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("settled-again", "earliest")) {
            consumer.subscribe(List.of("enrichment.results"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    var id = r.headers().lastHeader("ce_id");
                    if (id != null && new String(id.value(), StandardCharsets.UTF_8).equals(taskId + ":result")) {
                        results.add(r.value());
                    }
                });
                return !results.isEmpty()
                        && consumer.assignment().stream()
                                .allMatch(p -> consumer.position(p)
                                        >= consumer.endOffsets(List.of(p)).get(p));
            });
        }
        assertThat(results).hasSize(1);
        assertThat(tenant.workflow(workflowId).getString("workflow.status")).isEqualTo("completed");
    }

    private static int vendorCalls(String firstName) {
        return VendorStubs.server()
                .findAll(getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo(firstName)))
                .size();
    }
}
