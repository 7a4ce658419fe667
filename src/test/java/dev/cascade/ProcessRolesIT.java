package dev.cascade;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.ClusterLedger;
import dev.cascade.testing.CountingReceiver;
import dev.cascade.testing.CountingReceiver.Hit;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;
import dev.cascade.testing.KafkaResource;

/**
 * Process roles (`cascade.roles`, issue 11): an API process and worker processes split the gateway between them and
 * every guarantee still holds — each workflow completes, exactly one webhook per workflow, an exact ledger. The API
 * process never joins a consumer group; a worker serves no `/api` but its health and metrics.
 */
class ProcessRolesIT {
    private static final String TASKS_GROUP = "cascade-waterfall";
    private static final String RESULTS_GROUP = "cascade-aggregator";
    private static final List<String> TYPES = List.of("partial", "phone_only", "full", "prospecting_only", "none");
    private static final int CONTACTS = 8;
    private static final Duration READY = Duration.ofSeconds(90);

    private static GatewayCluster cluster;
    private static CountingReceiver receiver;
    private static Admin admin;
    /** One API process for every test; each test starts (and stops) its own workers beside it. */
    private static GatewayProcess api;

    @BeforeAll
    static void startInfrastructure() {
        cluster = GatewayCluster.start();
        receiver = CountingReceiver.start(0);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.bootstrapServers()));
        api = cluster.startGateway("roles-api", env("roles-api", "api"));
    }

    @AfterAll
    static void stopInfrastructure() {
        try {
            if (admin != null) {
                admin.close();
            }
            if (receiver != null) {
                receiver.close();
            }
        } finally {
            if (cluster != null) {
                cluster.stop();
            }
        }
    }

    @Test
    void theApiProcessJoinsNoConsumerGroup() {
        // Only the API process runs now (the other tests stop their workers): both groups stay empty.
        await("no consumer group member while only the api process runs")
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> members(TASKS_GROUP) == 0 && members(RESULTS_GROUP) == 0);
        given().baseUri(api.managementUrl()).get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void anApiProcessAndOneWorkerRunWorkflowsWithOneWebhookEachAndAnExactLedger() throws Exception {
        try (GatewayProcess worker = startWorker("roles-worker", "waterfall,aggregator,webhooks")) {
            // One member each, the worker's: the API process beside it never joins.
            awaitOneMemberEach(TASKS_GROUP, RESULTS_GROUP);
            assertServesNoApiButHealthAndMetrics(worker);

            runWorkflowsEndToEnd("split-two", Set.of(userAgent("roles-worker")));
            assertThat(members(TASKS_GROUP)).isEqualTo(1);
            assertThat(members(RESULTS_GROUP)).isEqualTo(1);
        }
    }

    @Test
    void aWaterfallOnlyWorkerAndAnAggregatorWebhooksWorkerShareTheWork() throws Exception {
        // Both start at once; each is then awaited.
        try (GatewayProcess waterfall = GatewayProcess.start("roles3-waterfall", env("roles3-waterfall", "waterfall"));
                GatewayProcess aggregator =
                        GatewayProcess.start("roles3-aggregator", env("roles3-aggregator", "aggregator, webhooks"))) {
            waterfall.awaitReady(READY);
            aggregator.awaitReady(READY);
            // One member each: were a process to open a consumer of a role it lacks, a group would have two.
            awaitOneMemberEach(TASKS_GROUP, RESULTS_GROUP);
            assertServesNoApiButHealthAndMetrics(waterfall);
            assertServesNoApiButHealthAndMetrics(aggregator);

            runWorkflowsEndToEnd("split-three", Set.of(userAgent("roles3-aggregator")));
            assertThat(members(TASKS_GROUP)).isEqualTo(1);
            assertThat(members(RESULTS_GROUP)).isEqualTo(1);
        }
    }

    @Test
    void anUnknownRoleRefusesStartUpNamingTheSetting() {
        try (GatewayProcess gateway = GatewayProcess.start("roles-unknown", env("roles-unknown", "api,aggregater"))) {
            await("the gateway exits").atMost(Duration.ofSeconds(60)).until(() -> !gateway.isAlive());
            assertThat(gateway.stop(Duration.ofSeconds(5))).isNotZero();
            assertThat(gateway.tail(200)).contains("cascade.roles").contains("aggregater");
        }
    }

    /**
     * Submits one workflow per enrichment type through the API process, with a webhook each, and checks: every one
     * completes with every task settled, the receiver gets exactly one webhook per workflow (from the sender's
     * process only), both lifecycle records were acknowledged, and the ledger explains the balance to the credit.
     */
    private static void runWorkflowsEndToEnd(String name, Set<String> senders) throws Exception {
        Tenant tenant = newTenant(api, name, 10000);
        String prefix = "/" + name + "/";
        List<String> workflows = new ArrayList<>();
        for (String type : TYPES) {
            List<Map<String, Object>> contacts = IntStream.range(0, CONTACTS)
                    .mapToObj(i -> type.equals("prospecting_only")
                            ? Map.<String, Object>of("company_domain", name + "-company" + i + ".com")
                            : Gateway.person(TYPES.indexOf(type) * 100 + i))
                    .toList();
            workflows.add(given().baseUri(api.baseUrl())
                    .auth()
                    .oauth2(tenant.key())
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "enrichment_type", type, "webhook_url", receiver.url(prefix + type), "contacts", contacts))
                    .post("/api/v1/public/enrich/bulk")
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("workflow_id"));
        }

        Map<String, JsonPath> finals = new HashMap<>();
        for (String workflowId : workflows) {
            finals.put(workflowId, awaitTerminal(api, tenant, workflowId));
        }
        finals.forEach((workflowId, status) -> {
            assertThat(status.getInt("workflow.completed_prospects") + status.getInt("workflow.failed_prospects"))
                    .as("settled tasks of %s", workflowId)
                    .isEqualTo(CONTACTS);
        });

        await("one webhook per workflow")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> receiver.under(prefix).size() >= workflows.size());
        // A second delivery would follow within moments: give it time to show before judging.
        await("no webhook twice")
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertOneWebhookPerWorkflow(receiver.under(prefix), workflows, senders));

        await("both lifecycle records acknowledged")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id = ANY(?) AND started_published_at IS NOT NULL"
                                        + " AND completed_published_at IS NOT NULL",
                                (Object) workflows.toArray(String[]::new))
                        == workflows.size());

        assertLedgerExact(tenant, finals);
    }

    private static void assertOneWebhookPerWorkflow(
            Map<String, List<Hit>> events, List<String> workflows, Set<String> senders) {
        assertThat(events).as("webhook events").hasSize(workflows.size());
        events.forEach((id, hits) -> {
            assertThat(hits).as("requests for %s", id).hasSize(1);
            assertThat(hits.get(0).answered()).isEqualTo(200);
            assertThat(hits.get(0).userAgent()).as("sent by").isIn(senders);
        });
        Set<String> delivered = events.values().stream()
                .map(hits -> JsonPath.from(hits.get(0).body()).getString("workflow_id"))
                .collect(Collectors.toSet());
        assertThat(delivered).containsExactlyInAnyOrderElementsOf(workflows);
    }

    /** Nothing held, the ledger sums to the balance, holds net out, each task charged once, charges as reported. */
    private static void assertLedgerExact(Tenant tenant, Map<String, JsonPath> finals) {
        JsonPath credits = ClusterLedger.credits(api, cluster.adminToken(), tenant.orgId());
        Map<String, BigDecimal> charges = ClusterLedger.assertSettledExactly(
                credits, ClusterLedger.entries(api, cluster.adminToken(), tenant.orgId()));
        BigDecimal charged = BigDecimal.ZERO;
        for (Map.Entry<String, JsonPath> entry : finals.entrySet()) {
            BigDecimal reported = new BigDecimal(entry.getValue().getString("workflow.credits_charged"));
            assertThat(charges.getOrDefault(entry.getKey(), BigDecimal.ZERO))
                    .as("charges of %s", entry.getKey())
                    .isEqualByComparingTo(reported);
            charged = charged.add(reported);
        }
        assertThat(charged).isPositive();
        assertThat(new BigDecimal(credits.getString("balance")))
                .isEqualByComparingTo(new BigDecimal("10000").subtract(charged));
    }

    /**
     * A worker: 404 in the API's error shape under `/api` (even authenticated) and for the web console, health and
     * metrics served.
     */
    private static void assertServesNoApiButHealthAndMetrics(GatewayProcess worker) {
        for (String path : List.of(
                "/api/v1/public/auth/validate-key",
                "/api/v1/public/enrich/status?workflow_id=x",
                "/api",
                "/api/",
                "/console",
                "/console/",
                "/console/js/app.js")) {
            given().baseUri(worker.baseUrl())
                    .auth()
                    .oauth2(cluster.apiKey())
                    .get(path)
                    .then()
                    .statusCode(404)
                    .contentType(ContentType.JSON)
                    .body("detail", org.hamcrest.Matchers.equalTo("Not Found"));
        }
        given().baseUri(worker.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "nope"))
                .post("/api/v1/admin/organizations")
                .then()
                .statusCode(404);
        given().baseUri(worker.managementUrl()).get("/q/health/ready").then().statusCode(200);
        given().baseUri(worker.managementUrl()).get("/q/health/live").then().statusCode(200);
        given().baseUri(worker.managementUrl())
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.containsString("jvm_"));
    }

    /** A worker process, stopped by the test itself (try-with-resources). */
    private static GatewayProcess startWorker(String name, String roles) {
        return GatewayProcess.startReady(name, env(name, roles), READY);
    }

    private static Map<String, String> env(String name, String roles) {
        Map<String, String> env = cluster.env();
        env.put("CASCADE_ROLES", roles);
        env.put("CASCADE_SIMULATOR_LATENCY_MIN", "1ms");
        env.put("CASCADE_SIMULATOR_LATENCY_MAX", "20ms");
        env.put("CASCADE_WEBHOOKS_POLL_INTERVAL", "1s");
        env.put("CASCADE_WEBHOOKS_USER_AGENT", userAgent(name));
        return env;
    }

    private static String userAgent(String gateway) {
        return "Cascade-IT-" + gateway + "/0.1";
    }

    /** Members of a consumer group right now (0 for a group the broker does not know). */
    private static int members(String group) throws Exception {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(5, TimeUnit.SECONDS);
            return description.members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /** Waits until each group has exactly one member holding partitions. */
    private static void awaitOneMemberEach(String... groups) {
        await("one member holding partitions in " + String.join(", ", groups))
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(ExecutionException.class)
                .until(() -> {
                    for (ConsumerGroupDescription group : admin.describeConsumerGroups(List.of(groups))
                            .all()
                            .get(5, TimeUnit.SECONDS)
                            .values()) {
                        if (group.members().size() != 1
                                || group.members()
                                        .iterator()
                                        .next()
                                        .assignment()
                                        .topicPartitions()
                                        .isEmpty()) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    private record Tenant(String orgId, String key) {}

    private static Tenant newTenant(GatewayProcess via, String name, int credits) {
        String orgId = given().baseUri(via.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "credits", credits))
                .post("/api/v1/admin/organizations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String key = given().baseUri(via.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "it"))
                .post("/api/v1/admin/organizations/" + orgId + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
        given().baseUri(via.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 100000, "key_requests_per_minute", 100000))
                .put("/api/v1/admin/organizations/" + orgId + "/rate-limits")
                .then()
                .statusCode(200);
        return new Tenant(orgId, key);
    }

    private static JsonPath awaitTerminal(GatewayProcess via, Tenant tenant, String workflowId) {
        await("workflow " + workflowId + " terminal")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> List.of("completed", "completed_with_errors", "failed")
                        .contains(status(via, tenant, workflowId).getString("workflow.status")));
        return status(via, tenant, workflowId);
    }

    private static JsonPath status(GatewayProcess via, Tenant tenant, String workflowId) {
        return given().baseUri(via.baseUrl())
                .auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
