package dev.cascade.aggregation;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Ledger;
import dev.cascade.testing.Receiver;
import dev.cascade.testing.SlowVendor;
import dev.cascade.testing.VendorStubs;

/**
 * Cancel (§4.6): unsettled tasks settle failed (`cancelled`), holds are released, the webhook fires once, without
 * waiting for running tasks.
 */
@QuarkusTest
class CancelTest {
    private static final Map<String, Object> SLOW = SlowVendor.WATERFALL;

    private WireMockServer receiver;

    @BeforeEach
    void setUp() {
        receiver = Receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(ok()));
        SlowVendor.answerSlowly();
    }

    @AfterEach
    void tearDown() {
        receiver.stop();
    }

    @Test
    void cancellingSettlesUnstartedTasksReleasesTheirHoldsAndFiresTheWebhookOnce() {
        Tenant tenant = Gateway.newTenant("cancel-" + UUID.randomUUID(), 10000);
        // Fill every waterfall slot (256 in flight) with slow tasks, so the next workflow's tasks wait unstarted.
        String blockerA = tenant.submit(Map.of("waterfall", SLOW, "contacts", contacts(0, 250)));
        String blockerB = tenant.submit(Map.of("waterfall", SLOW, "contacts", contacts(300, 20)));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM tasks WHERE workflow_id IN (?, ?) AND status = 'running'",
                                blockerA,
                                blockerB)
                        >= 256);
        JsonPath accepted = tenant.submitForBody(Map.of(
                "waterfall",
                SLOW,
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + "/hook",
                "contacts",
                contacts(1000, 40)));
        String workflowId = accepted.getString("workflow_id");

        JsonPath cancelled = given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/enrich/cancel")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(cancelled.getString("workflow_id")).isEqualTo(workflowId);
        assertThat(cancelled.getInt("cancelled_tasks")).isEqualTo(40);
        assertThat(cancelled.getString("status")).isEqualTo("failed");

        // Terminal at once: every task failed with `cancelled`, nothing charged, the whole hold released.
        JsonPath results = tenant.results(workflowId);
        assertThat(results.getString("workflow.status")).isEqualTo("failed");
        assertThat(results.getInt("workflow.failed_prospects")).isEqualTo(40);
        List<Map<String, Object>> items = results.getList("workflow.results");
        assertThat(items).hasSize(40).allSatisfy(item -> {
            assertThat(item.get("status")).isEqualTo("failed");
            assertThat(item.get("error")).isEqualTo("cancelled");
        });
        List<Ledger.Entry> rows = Ledger.entries(tenant.orgId()).stream()
                .filter(e -> workflowId.equals(e.workflowId()))
                .toList();
        BigDecimal held =
                Ledger.sum(rows.stream().filter(e -> e.kind().equals("hold")).toList());
        assertThat(held).isEqualByComparingTo("-40");
        assertThat(Ledger.sum(rows)).isZero();
        assertThat(rows).noneMatch(e -> e.kind().equals("charge"));

        // The result topic holds one `cancelled` result per cancelled task (de-duplicated on ce_id, as consumers do).
        java.util.Map<String, String> byCeId = new java.util.HashMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
                dev.cascade.testing.KafkaClients.consumer("cancelled-results", "earliest")) {
            consumer.subscribe(List.of("enrichment.results"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (workflowId.equals(record.key())) {
                        byCeId.putIfAbsent(
                                new String(
                                        record.headers().lastHeader("ce_id").value(),
                                        java.nio.charset.StandardCharsets.UTF_8),
                                record.value());
                    }
                }
                return byCeId.size() == 40;
            });
        }
        // The cancel's copy and any waterfall's copy of a result share one id, `<task_id>:result`.
        assertThat(byCeId.keySet())
                .containsExactlyInAnyOrderElementsOf(accepted.<String>getList("task_ids").stream()
                        .map(taskId -> taskId + ":result")
                        .toList());
        assertThat(byCeId.values())
                .allSatisfy(value ->
                        assertThat(value).contains("\"status\":\"failed\"").contains("\"error\":\"cancelled\""));

        // Its webhook fires once, saying `failed`.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                                .size()
                        == 1);
        assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                        .get(0)
                        .getBodyAsString())
                .contains("\"status\":\"failed\"")
                .contains(workflowId);

        // A finished workflow cannot be cancelled; unknown and missing ids answer as the status endpoint does.
        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/enrich/cancel")
                .then()
                .statusCode(409)
                .body("detail", equalTo("Workflow already finished (failed)"));
        Tenant stranger = Gateway.newTenant("cancel-stranger-" + UUID.randomUUID());
        given().auth()
                .oauth2(stranger.key())
                .queryParam("workflow_id", blockerA)
                .post("/api/v1/public/enrich/cancel")
                .then()
                .statusCode(404)
                .body("detail", equalTo("Workflow not found"));
        given().auth()
                .oauth2(tenant.key())
                .post("/api/v1/public/enrich/cancel")
                .then()
                .statusCode(400);

        // The blockers finish normally; the cancelled workflow's queued task records never reached the provider.
        tenant.awaitTerminal(blockerA, Duration.ofSeconds(60));
        tenant.awaitTerminal(blockerB, Duration.ofSeconds(60));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(VendorStubs.server()
                        .findAll(getRequestedFor(urlPathEqualTo("/slow/v2/email-finder"))
                                .withQueryParam("first_name", matching("Cancel1[0-9]{3}"))))
                .isEmpty();
        assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))).hasSize(1);
        Ledger.assertExplainsBalance(tenant);
    }

    @Test
    void cancellingDoesNotWaitForRunningTasksAndDiscardsTheirLateResultsWithoutCharge() {
        Tenant tenant = Gateway.newTenant("cancel-running-" + UUID.randomUUID(), 100);
        String prefix = "Held" + UUID.randomUUID().toString().substring(0, 8);
        try (SlowVendor.Held vendor = SlowVendor.hold(prefix)) {
            List<Map<String, Object>> contacts = IntStream.range(0, 3)
                    .mapToObj(i -> Map.<String, Object>of(
                            "first_name", prefix + i, "last_name", "Running", "company_domain", "held" + i + ".com"))
                    .toList();
            String workflowId = tenant.submit(Map.of(
                    "waterfall",
                    SLOW,
                    "webhook_url",
                    "http://127.0.0.1:" + receiver.port() + "/hook",
                    "contacts",
                    contacts));
            // Every task is running: claimed, its vendor call under way (held, or queued at a stub still busy with an
            // earlier test's slow calls; either way unanswered until released).
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Gateway.count(
                                    "SELECT count(*) FROM tasks WHERE workflow_id = ? AND status = 'running'",
                                    workflowId)
                            == 3);

            JsonPath cancelled = given().auth()
                    .oauth2(tenant.key())
                    .queryParam("workflow_id", workflowId)
                    .post("/api/v1/public/enrich/cancel")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(cancelled.getInt("cancelled_tasks")).isEqualTo(3);
            assertThat(cancelled.getString("status")).isEqualTo("failed");

            // Terminal and its one webhook sent while the vendor still holds every call.
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                                    .size()
                            == 1);
            assertThat(vendor.answered()).isZero();
            JsonPath before = tenant.results(workflowId);
            assertThat(before.getString("workflow.status")).isEqualTo("failed");
            assertThat(before.getInt("workflow.failed_prospects")).isEqualTo(3);
            List<Map<String, Object>> items = before.getList("workflow.results");
            assertThat(items).hasSize(3).allSatisfy(item -> {
                assertThat(item.get("status")).isEqualTo("failed");
                assertThat(item.get("error")).isEqualTo("cancelled");
            });
            assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                            .get(0)
                            .getBodyAsString())
                    .contains("\"status\":\"failed\"")
                    .contains(workflowId);

            // The vendor answers: the late results reach the result topic (saying `cancelled`, like the cancel's)
            // and change nothing.
            vendor.release();
            List<String> published = new java.util.ArrayList<>();
            try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
                    dev.cascade.testing.KafkaClients.consumer("late-results-" + UUID.randomUUID(), "earliest")) {
                consumer.subscribe(List.of("enrichment.results"));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (var record : consumer.poll(Duration.ofMillis(500))) {
                        if (workflowId.equals(record.key())) {
                            published.add(record.value());
                        }
                    }
                    // Three from the cancel, three from the waterfall once the vendor answered.
                    return published.size() >= 6;
                });
            }
            assertThat(published)
                    .allSatisfy(value ->
                            assertThat(value).contains("\"status\":\"failed\"").contains("\"error\":\"cancelled\""));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> true);
            JsonPath after = tenant.results(workflowId);
            assertThat(after.getString("workflow.status")).isEqualTo("failed");
            assertThat(after.getInt("workflow.failed_prospects")).isEqualTo(3);
            assertThat(after.getString("workflow.completed_at")).isEqualTo(before.getString("workflow.completed_at"));
            assertThat(after.getList("workflow.results")).isEqualTo(before.getList("workflow.results"));
            List<Ledger.Entry> rows = Ledger.entries(tenant.orgId()).stream()
                    .filter(e -> workflowId.equals(e.workflowId()))
                    .toList();
            assertThat(rows).noneMatch(e -> e.kind().equals("charge"));
            assertThat(Ledger.sum(rows)).isZero();
            assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook"))))
                    .hasSize(1);
            Ledger.assertExplainsBalance(tenant);
        }
    }

    private static List<Map<String, Object>> contacts(int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(i -> Map.<String, Object>of(
                        "first_name", "Cancel" + i, "last_name", "Slow", "company_domain", "slow" + i + ".com"))
                .toList();
    }
}
