package dev.cascade.aggregation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;

/** The whole request path on real Kafka and PostgreSQL, with a real webhook receiver. */
@QuarkusTest
class PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer receiver;

    @BeforeAll
    static void startReceiver() {
        receiver = Receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @Test
    void a250ContactWorkflowCompletesAndItsWebhookArrivesOnceWithTheRightSummary() throws Exception {
        Tenant tenant = Gateway.newTenant("pipeline-" + UUID.randomUUID());
        String path = "/hooks/" + UUID.randomUUID();
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            contacts.add(Gateway.person(i));
        }
        String workflowId = tenant.submit(Map.of(
                "enrichment_type",
                "partial",
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + path,
                "contacts",
                contacts,
                "custom",
                Map.of("batch", "b-1")));

        JsonPath status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(90));
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.total_prospects")).isEqualTo(250);
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(250);
        assertThat(status.getInt("workflow.failed_prospects")).isZero();
        assertThat(status.getString("workflow.completed_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(status.getString("workflow.started_at")).endsWith("Z");
        int emails = status.getInt("workflow.emails_found");
        assertThat(emails).isBetween(1, 250);

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo(path))).size() == 1);
        // Exactly once: nothing more arrives afterwards.
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo(path))).size() == 1);
        LoggedRequest request =
                receiver.findAll(postRequestedFor(urlEqualTo(path))).get(0);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(request.getHeader("webhook-id")).startsWith("msg_");
        assertThat(request.getHeader("webhook-timestamp")).matches("\\d+");
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertThat(body.path("event").asText()).isEqualTo("enrichment.completed");
        assertThat(body.path("workflow_id").asText()).isEqualTo(workflowId);
        assertThat(body.path("status").asText()).isEqualTo("completed");
        assertThat(body.path("enrichment_type").asText()).isEqualTo("partial");
        assertThat(body.path("lead_list_id").asText()).isNotBlank();
        assertThat(body.path("summary").path("total").asInt()).isEqualTo(250);
        assertThat(body.path("summary").path("successful").asInt()).isEqualTo(250);
        assertThat(body.path("summary").path("failed").asInt()).isZero();
        assertThat(body.path("summary").path("emails_found").asInt()).isEqualTo(emails);
        assertThat(body.path("results")).hasSize(250);
        assertThat(body.path("results_limit").asInt()).isEqualTo(250);
        assertThat(body.path("results_truncated").asInt()).isZero();
        assertThat(body.path("results_endpoint").asText())
                .isEqualTo("/api/v1/public/enrich/status?workflow_id=" + workflowId + "&include_results=true");
        assertThat(body.path("custom").path("batch").asText()).isEqualTo("b-1");
        assertThat(request.getBodyAsString()).doesNotContain("null");
        long withEmail = 0;
        for (JsonNode item : body.path("results")) {
            if (item.hasNonNull("primary_email")) {
                withEmail++;
                assertThat(item.path("primary_email_status").asText()).isIn("reliable", "risky", "unknown");
            }
        }
        assertThat(withEmail).isEqualTo(emails);

        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .body("workflow_id", org.hamcrest.Matchers.equalTo(workflowId))
                .body("deliveries", org.hamcrest.Matchers.hasSize(1))
                .body("deliveries[0].event", org.hamcrest.Matchers.equalTo("enrichment.completed"))
                .body("deliveries[0].attempt", org.hamcrest.Matchers.equalTo(1))
                .body("deliveries[0].status", org.hamcrest.Matchers.equalTo("succeeded"))
                .body("deliveries[0].response_status_code", org.hamcrest.Matchers.equalTo(200));
    }

    @Test
    void aProspectingWebhookCarriesAtMostResultsLimitRowsAndCountsTheRest() throws Exception {
        Tenant tenant = Gateway.newTenant("prospects-" + UUID.randomUUID());
        String path = "/prospects/" + UUID.randomUUID();
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        List<Map<String, Object>> companies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            companies.add(Map.of("company_domain", "company" + i + ".com"));
        }
        String workflowId = tenant.submit(Map.of(
                "enrichment_type",
                "prospecting_only",
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + path,
                "contacts",
                companies));
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(60));
        List<Object> rows = tenant.results(workflowId).getList("workflow.results");
        assertThat(rows.size()).isGreaterThan(250);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo(path))).size() == 1);
        JsonNode body = JSON.readTree(
                receiver.findAll(postRequestedFor(urlEqualTo(path))).get(0).getBodyAsString());
        assertThat(body.path("results")).hasSize(250);
        assertThat(body.path("results_truncated").asInt()).isEqualTo(rows.size() - 250);
        assertThat(body.path("results")
                        .get(0)
                        .path("prospect")
                        .path("full_name")
                        .asText())
                .isNotBlank();
        assertThat(body.path("results").get(0).path("task_id").asText()).isNotBlank();
    }

    @Test
    void statusByWorkflowAndByTaskLeavesNullsOutAndListsResultsInInputOrder() {
        Tenant tenant = Gateway.newTenant("status-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = List.of(
                Map.of("first_name", "John", "last_name", "Doe", "company_domain", "https://www.Acme.com/about"),
                Map.of("linkedin_url", "https://www.linkedin.com/in/jane-doe"),
                Map.of("first_name", "Sam", "last_name", "Lee", "company_name", "Globex"));
        var submitted = given().auth()
                .oauth2(tenant.key())
                .contentType("application/json")
                .body(Map.of("enrichment_type", "full", "contacts", contacts))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String workflowId = submitted.getString("workflow_id");
        List<String> taskIds = submitted.getList("task_ids");
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));

        String raw = given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .queryParam("include_results", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(raw).doesNotContain("null");
        JsonPath workflow = JsonPath.from(raw);
        assertThat(workflow.getList("workflow.results.task_id")).containsExactlyElementsOf(taskIds);
        assertThat(workflow.getString("workflow.enrichment_type")).isEqualTo("full");
        assertThat(workflow.getString("workflow.results[0].company.domain")).isEqualTo("acme.com");
        assertThat(workflow.getList("workflow.results[0].personal_phone_numbers"))
                .isNotNull();

        String task = given().auth()
                .oauth2(tenant.key())
                .queryParam("task_id", taskIds.get(1))
                .queryParam("include_trace", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(task).doesNotContain("null");
        JsonPath taskJson = JsonPath.from(task);
        assertThat(taskJson.getString("task.task_id")).isEqualTo(taskIds.get(1));
        assertThat(taskJson.getString("task.workflow_id")).isEqualTo(workflowId);
        assertThat(taskJson.getString("task.status")).isEqualTo("completed");
        assertThat(taskJson.getMap("task.result")).containsKey("personal_phone_numbers");
        assertThat(taskJson.getList("task.trace.provider")).contains("sim-email-a", "sim-phone");
    }

    @Test
    void answersNotFoundForUnknownAndForeignIdsAlike() {
        Tenant owner = Gateway.newTenant("owner-" + UUID.randomUUID());
        Tenant stranger = Gateway.newTenant("stranger-" + UUID.randomUUID());
        var submitted = given().auth()
                .oauth2(owner.key())
                .contentType("application/json")
                .body(Map.of("contacts", List.of(Gateway.person(1))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String workflowId = submitted.getString("workflow_id");
        String taskId = submitted.getString("task_ids[0]");
        for (String id : List.of(workflowId, "public_bulk_" + UUID.randomUUID(), "garbage")) {
            given().auth()
                    .oauth2(stranger.key())
                    .queryParam("workflow_id", id)
                    .get("/api/v1/public/enrich/status")
                    .then()
                    .statusCode(404)
                    .body("detail", org.hamcrest.Matchers.equalTo("Workflow not found"));
            given().auth()
                    .oauth2(stranger.key())
                    .queryParam("workflow_id", id)
                    .get("/api/v1/public/webhooks/deliveries")
                    .then()
                    .statusCode(404);
        }
        for (String id : List.of(taskId, UUID.randomUUID().toString(), "garbage")) {
            given().auth()
                    .oauth2(stranger.key())
                    .queryParam("task_id", id)
                    .get("/api/v1/public/enrich/status")
                    .then()
                    .statusCode(404)
                    .body("detail", org.hamcrest.Matchers.equalTo("Task not found"));
        }
        given().auth()
                .oauth2(owner.key())
                .queryParam("workflow_id", workflowId)
                .queryParam("task_id", taskId)
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("Provide exactly one of workflow_id or task_id."));
        given().auth()
                .oauth2(owner.key())
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("Provide exactly one of workflow_id or task_id."));
        given().auth()
                .oauth2(owner.key())
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(owner.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .body("deliveries", org.hamcrest.Matchers.hasSize(0));
    }

    @Test
    void everyEnrichmentTypeSettlesWithItsFields() {
        Tenant tenant = Gateway.newTenant("types-" + UUID.randomUUID());
        for (String type : List.of("none", "partial", "phone_only", "full", "prospecting_only")) {
            List<Map<String, Object>> contacts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                contacts.add(Gateway.person(i));
            }
            String workflowId = tenant.submit(Map.of("enrichment_type", type, "contacts", contacts));
            JsonPath status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
            assertThat(status.getString("workflow.status")).as(type).isEqualTo("completed");
            JsonPath results = tenant.results(workflowId);
            List<Map<String, Object>> rows = results.getList("workflow.results");
            switch (type) {
                case "none" -> {
                    assertThat(rows).hasSize(10).allSatisfy(r -> assertThat(r).doesNotContainKey("primary_email"));
                    assertThat(status.getInt("workflow.emails_found")).isZero();
                }
                case "partial" -> assertThat(rows).anySatisfy(r -> assertThat(r).containsKey("primary_email"));
                case "phone_only" -> {
                    assertThat(rows)
                            .anySatisfy(r -> assertThat((List<?>) r.get("personal_phone_numbers"))
                                    .isNotEmpty());
                    assertThat(rows).allSatisfy(r -> assertThat(r).doesNotContainKey("primary_email"));
                    assertThat(status.getInt("workflow.phones_found")).isPositive();
                }
                case "full" -> {
                    assertThat(status.getInt("workflow.phones_found")).isPositive();
                    assertThat(status.getInt("workflow.emails_found")).isPositive();
                }
                default -> {
                    assertThat(rows.size()).isGreaterThanOrEqualTo(10);
                    assertThat(rows).allSatisfy(r -> assertThat(r).containsKey("prospect"));
                }
            }
        }
    }
}
