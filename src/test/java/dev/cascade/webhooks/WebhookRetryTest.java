package dev.cascade.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;

/** The fast tier of §6.4: first attempt at once, then after 1, 2, 4, 8 and 16 s; every attempt logged. */
@QuarkusTest
class WebhookRetryTest {
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
    void aReceiverFailingThreeTimesSeesFourAttemptsAtTheScheduledDelays() {
        String path = "/flaky/" + UUID.randomUUID();
        String scenario = "flaky-" + path;
        receiver.stubFor(post(urlEqualTo(path))
                .inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("2"));
        receiver.stubFor(post(urlEqualTo(path))
                .inScenario(scenario)
                .whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(500))
                .willSetStateTo("3"));
        receiver.stubFor(post(urlEqualTo(path))
                .inScenario(scenario)
                .whenScenarioStateIs("3")
                .willReturn(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:1/elsewhere"))
                .willSetStateTo("4"));
        receiver.stubFor(post(urlEqualTo(path))
                .inScenario(scenario)
                .whenScenarioStateIs("4")
                .willReturn(aResponse().withStatus(200)));

        Tenant tenant = Gateway.newTenant("retry-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of(
                "enrichment_type",
                "none",
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + path,
                "contacts",
                List.of(Gateway.person(1))));

        await().atMost(Duration.ofSeconds(40))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo(path))).size() == 4);
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo(path))).size() == 4);
        List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo(path)));
        assertThat(requests)
                .extracting(r -> r.getHeader("webhook-id"))
                .containsOnly(requests.get(0).getHeader("webhook-id"));
        assertThat(requests)
                .extracting(LoggedRequest::getBodyAsString)
                .containsOnly(requests.get(0).getBodyAsString());
        // Retries after 1, 2 and 4 seconds (within the time an attempt takes).
        long[] expected = {1000, 2000, 4000};
        for (int i = 1; i < requests.size(); i++) {
            long gap = requests.get(i).getLoggedDate().getTime()
                    - requests.get(i - 1).getLoggedDate().getTime();
            assertThat(gap).as("gap before attempt %d", i + 1).isBetween(expected[i - 1] - 50, expected[i - 1] + 800);
        }

        JsonPath log = given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(log.getString("webhook_url")).endsWith(path);
        assertThat(log.getList("deliveries.attempt", Integer.class)).containsExactly(1, 2, 3, 4);
        assertThat(log.getList("deliveries.status")).containsExactly("failed", "failed", "failed", "succeeded");
        assertThat(log.getList("deliveries.response_status_code", Integer.class))
                .containsExactly(503, 500, 302, 200);
        assertThat(log.getList("deliveries.error")).containsExactly("HTTP 503", "HTTP 500", "HTTP 302", null);
        assertThat(log.getList("deliveries.event")).containsOnly("enrichment.completed");
        assertThat(log.getString("deliveries[0].next_attempt_at")).endsWith("Z");
        assertThat(log.getString("deliveries[3].next_attempt_at")).isNull();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/elsewhere")))).isEmpty();
    }

    @Test
    void aRefusedConnectionIsLoggedAndRetried() {
        Tenant tenant = Gateway.newTenant("refused-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of(
                "enrichment_type", "none",
                "webhook_url", "http://127.0.0.1:1/nobody-home",
                "contacts", List.of(Gateway.person(1))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                                .oauth2(tenant.key())
                                .queryParam("workflow_id", workflowId)
                                .get("/api/v1/public/webhooks/deliveries")
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("deliveries")
                                .size()
                        >= 2);
        JsonPath log = given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .extract()
                .jsonPath();
        assertThat(log.getString("deliveries[0].status")).isEqualTo("failed");
        assertThat(log.getString("deliveries[0].error")).isEqualTo("connection refused");
    }
}
