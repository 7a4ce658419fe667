package dev.cascade.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.EventStream;
import dev.cascade.testing.EventStream.Sse;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;
import dev.cascade.testing.Receiver;
import dev.cascade.testing.ScriptedWorkflow;

/**
 * §1 and §5.3: every settled result item carries `other_emails`, `personal_phone_numbers` and `phones`, empty when
 * nothing was found, in every rendering: the status endpoint, the webhook body, the export, the progress stream and
 * the result topic. Failed tasks and prospect rows included, and rows stored before the arrays were written.
 */
@QuarkusTest
class ResultShapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ARRAYS = List.of("other_emails", "personal_phone_numbers", "phones");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WireMockServer receiver;

    @TestHTTPResource("/api/v1/public/enrich/stream")
    URL stream;

    @BeforeAll
    static void startReceiver() {
        receiver = Receiver.start();
        receiver.stubFor(post(urlEqualTo("/shapes")).willReturn(aResponse().withStatus(204)));
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @AfterEach
    void closeDeadHuntersBreaker() {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/dead-hunter/circuit/reset")
                .then()
                .statusCode(200);
    }

    @Test
    void failedTasksAndProspectRowsCarryEmptyArraysInEveryRendering() throws Exception {
        Tenant tenant = Gateway.newTenant("shapes-" + UUID.randomUUID());
        String webhook = "http://127.0.0.1:" + receiver.port() + "/shapes";
        List<JsonNode> records = new ArrayList<>();
        String failedId;
        String prospectingId;
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("shapes-test", "latest")) {
            consumer.subscribe(List.of("enrichment.results"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            // Its only email provider refuses every connection: the task fails.
            failedId = tenant.submit(Map.of(
                    "enrichment_type",
                    "partial",
                    "webhook_url",
                    webhook,
                    "waterfall",
                    Map.of("email", List.of("dead-hunter")),
                    "contacts",
                    List.of(Gateway.person(1))));
            prospectingId = tenant.submit(Map.of(
                    "enrichment_type",
                    "prospecting_only",
                    "webhook_url",
                    webhook,
                    "contacts",
                    List.of(Map.of("company_domain", "company1.com"), Map.of("company_domain", "company2.com"))));
            String a = failedId;
            String b = prospectingId;
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(a) || record.key().equals(b)) {
                        records.add(JSON.readTree(record.value()));
                    }
                }
                return records.size() >= 3;
            });
        }
        assertThat(tenant.awaitTerminal(failedId, WAIT).getString("workflow.status"))
                .isEqualTo("failed");
        tenant.awaitTerminal(prospectingId, WAIT);

        // The result topic: the failed task's item and every prospect row.
        JsonNode failedRecord = records.stream()
                .filter(r -> r.path("workflow_id").asText().equals(failedId))
                .findFirst()
                .orElseThrow();
        assertThat(failedRecord.path("status").asText()).isEqualTo("failed");
        assertHasEmptyArrays(failedRecord);
        List<JsonNode> recordRows = new ArrayList<>();
        records.stream()
                .filter(r -> r.path("workflow_id").asText().equals(prospectingId))
                .forEach(r -> r.path("prospects").forEach(recordRows::add));
        assertThat(recordRows).isNotEmpty().allSatisfy(ResultShapesTest::assertHasEmptyArrays);

        for (String workflowId : List.of(failedId, prospectingId)) {
            List<JsonNode> status = statusResults(tenant, workflowId);
            assertThat(status).isNotEmpty().allSatisfy(ResultShapesTest::assertHasEmptyArrays);
            if (workflowId.equals(failedId)) {
                assertThat(status)
                        .singleElement()
                        .satisfies(
                                item -> assertThat(item.path("status").asText()).isEqualTo("failed"));
            } else {
                assertThat(status)
                        .allSatisfy(row -> assertThat(row.has("prospect")).isTrue());
            }
            assertThat(exportNdjson(tenant, workflowId)).isEqualTo(status);
            // The stream in settlement order, one event per prospect row.
            assertThat(streamItems(tenant, workflowId)).containsExactlyInAnyOrderElementsOf(status);
            assertThat(webhookResults(workflowId)).isEqualTo(status);
        }
        // By task too.
        String failedTask =
                statusResults(tenant, failedId).get(0).path("task_id").asText();
        JsonNode task = JSON.readTree(given().auth()
                .oauth2(tenant.key())
                .queryParam("task_id", failedTask)
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        assertHasEmptyArrays(task.path("task").path("result"));
    }

    @Test
    void itemsStoredWithoutTheirArraysAreReadWithThem() throws Exception {
        Tenant tenant = Gateway.newTenant("shapes-stored-" + UUID.randomUUID());
        ScriptedWorkflow scripted = ScriptedWorkflow.running(tenant, 2);
        String workflowId = scripted.workflowId();
        String failedTask = scripted.item(0).path("task_id").asText();
        String prospectingTask = scripted.item(1).path("task_id").asText();
        // The shapes the waterfall wrote before: a failed item and prospect rows without the arrays.
        String failed = "{\"task_id\":\"" + failedTask + "\",\"status\":\"failed\",\"error\":\"cancelled\"}";
        String prospecting = "{\"task_id\":\"" + prospectingTask + "\",\"status\":\"completed\",\"prospects\":["
                + "{\"task_id\":\"" + prospectingTask + "\",\"status\":\"completed\",\"prospect\":{\"full_name\":\"A"
                + " B\"}},{\"task_id\":\"" + prospectingTask + "\",\"status\":\"completed\",\"prospect\":"
                + "{\"full_name\":\"C D\"}}]}";
        try (Connection conn = Db.connect()) {
            conn.setAutoCommit(false);
            Db.exec(
                    conn,
                    "UPDATE tasks SET status = 'failed', result = ?::json, settle_seq = 1, settled_at = now()"
                            + " WHERE id = ?",
                    failed,
                    UUID.fromString(failedTask));
            Db.exec(
                    conn,
                    "UPDATE tasks SET status = 'completed', result = ?::json, settle_seq = 2, settled_at = now()"
                            + " WHERE id = ?",
                    prospecting,
                    UUID.fromString(prospectingTask));
            Db.exec(
                    conn,
                    "UPDATE workflows SET completed_prospects = 1, failed_prospects = 1,"
                            + " status = 'completed_with_errors', completed_at = now() WHERE id = ?",
                    workflowId);
            conn.commit();
        }

        List<JsonNode> status = statusResults(tenant, workflowId);
        assertThat(status).hasSize(3).allSatisfy(ResultShapesTest::assertHasEmptyArrays);
        assertThat(exportNdjson(tenant, workflowId)).isEqualTo(status);
        assertThat(streamItems(tenant, workflowId)).isEqualTo(status);
        JsonNode task = JSON.readTree(given().auth()
                .oauth2(tenant.key())
                .queryParam("task_id", failedTask)
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        assertHasEmptyArrays(task.path("task").path("result"));
    }

    private static void assertHasEmptyArrays(JsonNode item) {
        for (String field : ARRAYS) {
            assertThat(item.path(field).isArray()).as("%s of %s", field, item).isTrue();
        }
        assertThat(item.path("other_emails")).isEmpty();
        assertThat(item.path("personal_phone_numbers")).isEmpty();
        assertThat(item.path("phones")).isEmpty();
    }

    private static List<JsonNode> statusResults(Tenant tenant, String workflowId) throws Exception {
        JsonNode body = JSON.readTree(given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .queryParam("include_results", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        List<JsonNode> items = new ArrayList<>();
        body.path("workflow").path("results").forEach(items::add);
        return items;
    }

    private static List<JsonNode> exportNdjson(Tenant tenant, String workflowId) throws Exception {
        String body = given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .queryParam("format", "ndjson")
                .get("/api/v1/public/enrich/results")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        List<JsonNode> items = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                items.add(JSON.readTree(line));
            }
        }
        return items;
    }

    private List<JsonNode> streamItems(Tenant tenant, String workflowId) throws Exception {
        try (EventStream events =
                EventStream.open(URI.create(stream + "?workflow_id=" + workflowId), tenant.key(), null)) {
            return events.untilEnd(WAIT).stream()
                    .filter(e -> "task".equals(e.name()))
                    .map(Sse::json)
                    .toList();
        }
    }

    /** The `results` of the workflow's `enrichment.completed` body, once it has arrived. */
    private static List<JsonNode> webhookResults(String workflowId) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            for (ServeEvent event : receiver.getAllServeEvents()) {
                JsonNode body = JSON.readTree(event.getRequest().getBodyAsString());
                if (body.path("workflow_id").asText().equals(workflowId)
                        && "enrichment.completed".equals(body.path("event").asText())) {
                    body.path("results").forEach(found::add);
                    return true;
                }
            }
            return false;
        });
        return found;
    }
}
