package dev.cascade;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.ClusterLedger;
import dev.cascade.testing.EventStream;
import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;
import dev.cascade.testing.KafkaClients;

/**
 * What must hold across gateway processes sharing one database and broker: rate limits (issue 5), the credit ledger
 * through duplicated result records, a crashed gateway and a new one taking over (issue 5), and a progress stream
 * resumed on another replica (issue 6).
 */
class GatewayReplicasIT {
    private static GatewayCluster cluster;
    private static String adminToken;

    @BeforeAll
    static void startInfrastructure() {
        cluster = GatewayCluster.start();
        adminToken = cluster.adminToken();
    }

    @AfterEach
    void stopGateways() {
        cluster.stopGateways();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void anOrganisationsRateLimitIsSharedByTwoGateways() {
        GatewayProcess first = startGateway("limits-1");
        GatewayProcess second = startGateway("limits-2");
        Tenant tenant = newTenant(first, "limited", 100);
        given().baseUri(first.baseUrl())
                .auth()
                .oauth2(adminToken)
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 10, "key_requests_per_minute", 100))
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/rate-limits")
                .then()
                .statusCode(200);
        // The counters are per minute: start well inside one.
        await().atMost(Duration.ofSeconds(30)).until(() -> LocalTime.now().getSecond() < 40);
        int accepted = 0;
        int refused = 0;
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            GatewayProcess via = i % 2 == 0 ? first : second;
            Response answer =
                    given().baseUri(via.baseUrl()).auth().oauth2(tenant.key()).get("/api/v1/public/auth/validate-key");
            if (answer.statusCode() == 200) {
                accepted++;
                remaining.add(Integer.parseInt(answer.header("RateLimit-Remaining")));
                assertThat(answer.header("RateLimit-Limit")).isEqualTo("10");
            } else {
                assertThat(answer.statusCode()).isEqualTo(429);
                assertThat(answer.header("Retry-After")).isNotNull();
                assertThat(answer.jsonPath().getString("detail")).isEqualTo("Rate limit exceeded");
                refused++;
            }
        }
        // Ten in all, whichever replica answered: each counted once, in one shared window.
        assertThat(accepted).isEqualTo(10);
        assertThat(refused).isEqualTo(6);
        assertThat(remaining).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    }

    @Test
    void theLedgerStaysExactThroughDuplicatedResultsAndACrashedGateway() throws Exception {
        GatewayProcess first = startGateway("ledger-1");
        GatewayProcess second = startGateway("ledger-2");
        Tenant tenant = newTenant(first, "ledger", 20000);
        List<String> types = List.of("partial", "phone_only", "full", "prospecting_only", "none");
        List<String> workflows = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (String type : types) {
                int base = round * 1000 + types.indexOf(type) * 100;
                List<Map<String, Object>> contacts = IntStream.range(base, base + 60)
                        .mapToObj(i -> type.equals("prospecting_only")
                                ? Map.<String, Object>of("company_domain", "company" + i + ".com")
                                : Map.<String, Object>of(
                                        "first_name", "First" + i,
                                        "last_name", "Last" + i,
                                        "company_domain", "company" + i + ".com"))
                        .toList();
                workflows.add(given().baseUri((round == 0 ? first : second).baseUrl())
                        .auth()
                        .oauth2(tenant.key())
                        .contentType(ContentType.JSON)
                        .body(Map.of("enrichment_type", type, "contacts", contacts))
                        .post("/api/v1/public/enrich/bulk")
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("workflow_id"));
            }
        }
        // A crash mid-run: whatever the first gateway had in hand is redelivered to the others.
        first.kill();
        GatewayProcess third = startGateway("ledger-3");
        for (String workflowId : workflows) {
            awaitTerminal(third, tenant, workflowId);
        }
        // Every result record again, as a producer retry or a replay would deliver it.
        int duplicated = 0;
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("ledger-replay", "earliest");
                KafkaProducer<String, String> producer = KafkaClients.producer()) {
            consumer.subscribe(List.of("enrichment.results"));
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline && duplicated < 600) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()));
                    duplicated++;
                }
            }
            producer.flush();
        }
        assertThat(duplicated).isGreaterThanOrEqualTo(600);
        // Give the aggregators time to (not) count them.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() -> true);

        JsonPath credits = ClusterLedger.credits(third, adminToken, tenant.orgId());
        Map<String, BigDecimal> charges =
                ClusterLedger.assertSettledExactly(credits, ClusterLedger.entries(second, adminToken, tenant.orgId()));
        BigDecimal charged = BigDecimal.ZERO;
        for (String workflowId : workflows) {
            JsonPath status = given().baseUri(third.baseUrl())
                    .auth()
                    .oauth2(tenant.key())
                    .queryParam("workflow_id", workflowId)
                    .get("/api/v1/public/enrich/status")
                    .jsonPath();
            BigDecimal creditsCharged = new BigDecimal(status.getString("workflow.credits_charged"));
            assertThat(charges.getOrDefault(workflowId, BigDecimal.ZERO)).isEqualByComparingTo(creditsCharged);
            assertThat(status.getInt("workflow.completed_prospects") + status.getInt("workflow.failed_prospects"))
                    .isEqualTo(60);
            charged = charged.add(creditsCharged);
        }
        assertThat(charged).isPositive();
        assertThat(new BigDecimal(credits.getString("balance")))
                .isEqualByComparingTo(new BigDecimal("20000").subtract(charged));
    }

    @Test
    void aProgressStreamResumesOnAnotherReplicaWithoutGapsOrDuplicates() throws Exception {
        GatewayProcess first = startGateway("stream-1");
        GatewayProcess second = startGateway("stream-2");
        Tenant tenant = newTenant(first, "stream", 1000);
        List<Map<String, Object>> contacts = IntStream.range(0, 80)
                .mapToObj(i -> Map.<String, Object>of(
                        "first_name", "Stream" + i, "last_name", "Replica", "company_domain", "replica" + i + ".com"))
                .toList();
        JsonPath accepted = given().baseUri(first.baseUrl())
                .auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("contacts", contacts))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String workflowId = accepted.getString("workflow_id");
        List<EventStream.Sse> before = new ArrayList<>();
        try (EventStream stream = EventStream.open(streamUri(first, workflowId), tenant.key(), null)) {
            while (before.stream().filter(e -> "task".equals(e.name())).count() < 15) {
                EventStream.Sse event = stream.next(Duration.ofSeconds(30));
                if (event.name() != null) {
                    before.add(event);
                }
            }
        }
        String lastId = before.get(before.size() - 1).id();
        List<EventStream.Sse> after;
        try (EventStream stream = EventStream.open(streamUri(second, workflowId), tenant.key(), lastId)) {
            after = stream.untilEnd(Duration.ofSeconds(90)).stream()
                    .filter(e -> e.name() != null)
                    .toList();
        }
        List<String> tasks = new ArrayList<>();
        for (EventStream.Sse event : before) {
            if ("task".equals(event.name())) {
                tasks.add(event.json().path("task_id").asText());
            }
        }
        for (EventStream.Sse event : after) {
            if ("task".equals(event.name())) {
                tasks.add(event.json().path("task_id").asText());
            }
        }
        // Every task exactly once, across both replicas, and the stream ends with the terminal workflow event.
        assertThat(tasks).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(accepted.getList("task_ids"));
        EventStream.Sse last = after.get(after.size() - 1);
        assertThat(last.name()).isEqualTo("workflow");
        assertThat(last.id()).isEqualTo("80.2");
    }

    private static java.net.URI streamUri(GatewayProcess via, String workflowId) {
        return java.net.URI.create(via.baseUrl() + "/api/v1/public/enrich/stream?workflow_id=" + workflowId);
    }

    private record Tenant(String orgId, String key) {}

    private static Tenant newTenant(GatewayProcess via, String name, int credits) {
        String orgId = given().baseUri(via.baseUrl())
                .auth()
                .oauth2(adminToken)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "credits", credits))
                .post("/api/v1/admin/organizations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String key = given().baseUri(via.baseUrl())
                .auth()
                .oauth2(adminToken)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "it"))
                .post("/api/v1/admin/organizations/" + orgId + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
        // Tests poll freely; the rate-limit test sets its own limits afterwards.
        given().baseUri(via.baseUrl())
                .auth()
                .oauth2(adminToken)
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 100000, "key_requests_per_minute", 100000))
                .put("/api/v1/admin/organizations/" + orgId + "/rate-limits")
                .then()
                .statusCode(200);
        return new Tenant(orgId, key);
    }

    private static void awaitTerminal(GatewayProcess via, Tenant tenant, String workflowId) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("completed", "completed_with_errors", "failed")
                        .contains(given().baseUri(via.baseUrl())
                                .auth()
                                .oauth2(tenant.key())
                                .queryParam("workflow_id", workflowId)
                                .get("/api/v1/public/enrich/status")
                                .jsonPath()
                                .getString("workflow.status")));
    }

    private static GatewayProcess startGateway(String name) {
        Map<String, String> env = cluster.env();
        // Simulated providers slow enough that a crash lands mid-run.
        env.put("CASCADE_SIMULATOR_LATENCY_MIN", "50ms");
        env.put("CASCADE_SIMULATOR_LATENCY_MAX", "400ms");
        return cluster.startGateway(name, env);
    }
}
