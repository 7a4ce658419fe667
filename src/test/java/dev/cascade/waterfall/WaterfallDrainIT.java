package dev.cascade.waterfall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;

/**
 * Drain on shutdown (issue 13): a gateway stopped with SIGTERM mid-run starts no new task, lets the running ones
 * finish, and writes their results and offsets before it exits; the process that takes over runs only what was left,
 * so no vendor is called twice for a task that finished. The vendor is Hunter's wire format on a loopback stub that
 * answers each lookup after 6 s, longer than the Kafka connector's own grace at close (5 s).
 */
class WaterfallDrainIT {
    private static final String FINDER = "/hunter/v2/email-finder";
    private static final int CONTACTS = 40;

    private static GatewayCluster cluster;
    private static WireMockServer vendor;

    @BeforeAll
    static void startInfrastructure() {
        cluster = GatewayCluster.start();
        vendor = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        vendor.start();
        vendor.stubFor(get(urlPathEqualTo(FINDER))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},"
                                + "\"meta\":{}}")
                        .withFixedDelay(6000)));
    }

    @AfterEach
    void stopGateways() {
        cluster.stopGateways();
    }

    @AfterAll
    static void stopInfrastructure() {
        try {
            if (cluster != null) {
                cluster.stop();
            }
        } finally {
            if (vendor != null) {
                vendor.stop();
            }
        }
    }

    @Test
    void aGatewayStoppedMidRunFinishesItsRunningTasksAndNoVendorCallIsRepeated() throws IOException {
        GatewayProcess first = startGateway("drain-1");
        String key = newTenantKey(first);
        List<Map<String, Object>> contacts = IntStream.range(0, CONTACTS)
                .mapToObj(i -> Map.<String, Object>of(
                        "first_name", "Drain" + i, "last_name", "Stop", "company_domain", "drain" + i + ".com"))
                .toList();
        String workflowId = given().baseUri(first.baseUrl())
                .auth()
                .oauth2(key)
                .contentType(ContentType.JSON)
                .body(Map.of("waterfall", Map.of("email", List.of("hunter")), "contacts", contacts))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .path("workflow_id");

        // Mid-run: a first round of tasks (at most 8 in flight) is at the vendor, the rest wait behind it.
        await().atMost(Duration.ofSeconds(60)).until(() -> !callsPerContact().isEmpty());
        first.stop(Duration.ofSeconds(90));

        // Every task that reached the vendor before SIGTERM finished here, once: its result and offset are written.
        Map<String, Long> atStop = callsPerContact();
        assertThat(atStop).isNotEmpty().hasSizeLessThan(CONTACTS);
        assertThat(atStop)
                .allSatisfy((contact, calls) -> assertThat(calls).as(contact).isEqualTo(1L));

        // Another process takes over: it runs only what the first left, and the workflow completes.
        GatewayProcess second = startGateway("drain-2");
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("completed", "completed_with_errors", "failed")
                        .contains(status(second, key, workflowId).getString("workflow.status")));
        JsonPath status = status(second, key, workflowId);
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(CONTACTS);
        Map<String, Long> calls = callsPerContact();
        assertThat(calls).hasSize(CONTACTS);
        assertThat(calls).allSatisfy((contact, n) -> assertThat(n).as(contact).isEqualTo(1L));
        // The first gateway waited for its running tasks, within the bound.
        assertThat(Files.readString(first.log()))
                .contains("Waterfall draining")
                .contains("Waterfall drained")
                .doesNotContain("Waterfall drain bound");
    }

    /** Finder calls per contact (first name) so far. */
    private static Map<String, Long> callsPerContact() {
        return vendor.findAll(getRequestedFor(urlPathEqualTo(FINDER))).stream()
                .map(WaterfallDrainIT::firstName)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String firstName(LoggedRequest request) {
        return request.queryParameter("first_name").firstValue();
    }

    private static JsonPath status(GatewayProcess via, String key, String workflowId) {
        return given().baseUri(via.baseUrl())
                .auth()
                .oauth2(key)
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/enrich/status")
                .jsonPath();
    }

    private static GatewayProcess startGateway(String name) {
        Map<String, String> env = cluster.env();
        // The real Hunter adapter, pointed at the stub, without its quota (every lookup leaves at once); few tasks in
        // flight, so that a stop lands with some running and many not started. System properties: map keys with
        // dashes are not told apart reliably in environment variable names.
        env.put("HUNTER_API_KEY", "drain-test-key");
        env.put(
                "JAVA_TOOL_OPTIONS",
                String.join(
                        " ",
                        "-Dcascade.providers.hunter.base-url=http://127.0.0.1:" + vendor.port() + "/hunter/v2",
                        "-Dcascade.providers.hunter.timeout=15s",
                        "-Dcascade.providers.hunter.rate-limit.limit=10000",
                        "-Dcascade.waterfall.max-in-flight=8",
                        "-Dmp.messaging.incoming.tasks-in.max.poll.records=8"));
        return cluster.startGateway(name, env);
    }

    private static String newTenantKey(GatewayProcess via) {
        String orgId = given().baseUri(via.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "drain", "credits", 1000))
                .post("/api/v1/admin/organizations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().baseUri(via.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 100000, "key_requests_per_minute", 100000))
                .put("/api/v1/admin/organizations/" + orgId + "/rate-limits")
                .then()
                .statusCode(200);
        return given().baseUri(via.baseUrl())
                .auth()
                .oauth2(cluster.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "it"))
                .post("/api/v1/admin/organizations/" + orgId + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
    }
}
