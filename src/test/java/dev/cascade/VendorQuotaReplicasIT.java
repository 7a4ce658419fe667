package dev.cascade;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;
import dev.cascade.testing.KafkaResource;

/**
 * A vendor's quota holds across replicas (issue 13 item 11): two gateway processes share one Hunter account limited
 * to 10 calls per second, and a loopback Hunter that records when each call arrived never sees more than 10 in any
 * second, wherever the second starts, though both processes call it and the workflows ask for three times that.
 */
class VendorQuotaReplicasIT {
    private static final int LIMIT = 10;
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final String MISS =
            "{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},\"meta\":{}}";

    private static GatewayCluster cluster;
    private static WireMockServer hunter;

    @BeforeAll
    static void start() {
        cluster = GatewayCluster.start();
        hunter = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        hunter.start();
        hunter.stubFor(get(urlPathEqualTo("/v2/email-finder"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(MISS)));
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.stop();
            }
        } finally {
            if (hunter != null) {
                hunter.stop();
            }
        }
    }

    @Test
    void twoGatewaysTogetherNeverSendTheVendorMoreThanItsQuotaInAnyWindow() throws Exception {
        GatewayProcess first = cluster.startGateway("quota-1", env("key-of-quota-1"));
        GatewayProcess second = cluster.startGateway("quota-2", env("key-of-quota-2"));
        awaitTwoWaterfalls();
        String key = cluster.apiKey();

        // Warm up: both processes open their connections to the vendor (a first connection on a busy machine delays a
        // call by a few hundred ms, which the margin is not meant to cover); then only the measured calls count. Task
        // records are keyed by workflow, so a workflow runs on whichever process holds its partition: small workflows
        // are submitted until the vendor has seen both processes' keys.
        for (int i = 0; i < 40 && callers().size() < 2; i++) {
            awaitCompleted(first, key, List.of(submit(i % 2 == 0 ? first : second, key, 1_000 + i * 10, 2)));
        }
        assertThat(callers()).as("keys the vendor saw in the warm-up").hasSize(2);
        hunter.resetRequests();

        // Twenty workflows of three contacts: spread over both processes' partitions (all on one would be a chance
        // of one in half a million), and together three times the quota.
        List<String> workflows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            workflows.add(submit(i % 2 == 0 ? first : second, key, i * 100, 3));
        }
        awaitCompleted(first, key, workflows);

        List<LoggedRequest> calls = hunter.findAll(getRequestedFor(urlPathEqualTo("/v2/email-finder")));
        // Every contact was asked once (none skipped as rate limited), by both processes.
        assertThat(calls).hasSize(60);
        assertThat(calls.stream().map(call -> call.getHeader("X-API-KEY")).distinct())
                .containsExactlyInAnyOrder("key-of-quota-1", "key-of-quota-2");
        List<Long> arrived = calls.stream()
                .map(call -> call.getLoggedDate().getTime())
                .sorted()
                .toList();
        for (int i = LIMIT; i < arrived.size(); i++) {
            // Eleven calls in a row never fit in one window: at most ten in any second, wherever it starts.
            assertThat(arrived.get(i) - arrived.get(i - LIMIT))
                    .as("calls arrived at %s", arrived)
                    .isGreaterThanOrEqualTo(WINDOW.toMillis());
        }
    }

    /** The API keys the vendor has seen, i.e. the processes that called it. */
    private static Set<String> callers() {
        return hunter.findAll(getRequestedFor(urlPathEqualTo("/v2/email-finder"))).stream()
                .map(call -> call.getHeader("X-API-KEY"))
                .collect(Collectors.toSet());
    }

    private static String submit(GatewayProcess via, String key, int base, int count) {
        List<Map<String, Object>> contacts = IntStream.range(base, base + count)
                .mapToObj(n -> Map.<String, Object>of(
                        "first_name", "First" + n, "last_name", "Last" + n, "company_domain", "quota" + n + ".com"))
                .toList();
        return given().baseUri(via.baseUrl())
                .auth()
                .oauth2(key)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "enrichment_type",
                        "partial",
                        "contacts",
                        contacts,
                        "waterfall",
                        Map.of("email", List.of("hunter"), "verify", "sim-verify")))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .path("workflow_id");
    }

    private static void awaitCompleted(GatewayProcess via, String key, List<String> workflows) {
        for (String workflowId : workflows) {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> "completed"
                            .equals(given().baseUri(via.baseUrl())
                                    .auth()
                                    .oauth2(key)
                                    .queryParam("workflow_id", workflowId)
                                    .get("/api/v1/public/enrich/status")
                                    .jsonPath()
                                    .getString("workflow.status")));
        }
    }

    private static Map<String, String> env(String apiKey) {
        Map<String, String> env = cluster.env();
        // `hunter` is declared in application.properties; the environment points it at the stub (as k8s would).
        env.put("CASCADE_PROVIDERS_HUNTER_BASE_URL", "http://127.0.0.1:" + hunter.port() + "/v2");
        env.put("CASCADE_PROVIDERS_HUNTER_API_KEY", apiKey);
        env.put("CASCADE_PROVIDERS_HUNTER_RATE_LIMIT_LIMIT", Integer.toString(LIMIT));
        env.put("CASCADE_PROVIDERS_HUNTER_RATE_LIMIT_WINDOW", "1s");
        env.put("CASCADE_PROVIDERS_HUNTER_RATE_LIMIT_MAX_WAIT", "20s");
        // The stub notes arrivals, which trail departures by the two JVMs' and the stub's scheduling: on a 2-core
        // machine running both gateways, Kafka, PostgreSQL and the stub that varies by up to ~200 ms. The margin is
        // the operator's setting for exactly that (docs/resiliency.md).
        env.put("CASCADE_PROVIDERS_HUNTER_RATE_LIMIT_MARGIN", "250ms");
        env.put("CASCADE_PROVIDERS_HUNTER_RETRY_MAX_RETRIES", "0");
        return env;
    }

    /** Both processes hold task partitions, so both call the vendor. */
    private static void awaitTwoWaterfalls() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> admin
                                    .describeConsumerGroups(List.of("cascade-waterfall"))
                                    .all()
                                    .get()
                                    .get("cascade-waterfall")
                                    .members()
                                    .stream()
                                    .filter(member -> !member.assignment()
                                            .topicPartitions()
                                            .isEmpty())
                                    .count()
                            == 2);
        }
    }
}
