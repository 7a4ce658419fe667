package dev.cascade.waterfall;

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
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;

/** When every provider a task needs errors, the task settles `failed` and so does a workflow of only such tasks. */
@QuarkusTest
@TestProfile(FailingProvidersProfile.class)
class AllProvidersFailTest {
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
    void aWorkflowWhoseProvidersAllFailEndsFailedAndSaysSoInItsWebhook() {
        receiver.stubFor(post(urlEqualTo("/failed")).willReturn(aResponse().withStatus(204)));
        Tenant tenant = Gateway.newTenant("failing-" + UUID.randomUUID());
        var submitted = given().auth()
                .oauth2(tenant.key())
                .contentType("application/json")
                .body(Map.of(
                        "enrichment_type",
                        "full",
                        "webhook_url",
                        "http://127.0.0.1:" + receiver.port() + "/failed",
                        "contacts",
                        List.of(Gateway.person(1), Gateway.person(2))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String workflowId = submitted.getString("workflow_id");
        JsonPath status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        assertThat(status.getString("workflow.status")).isEqualTo("failed");
        assertThat(status.getInt("workflow.failed_prospects")).isEqualTo(2);
        assertThat(status.getInt("workflow.completed_prospects")).isZero();

        JsonPath task = given().auth()
                .oauth2(tenant.key())
                .queryParam("task_id", submitted.getString("task_ids[0]"))
                .queryParam("include_trace", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(task.getString("task.status")).isEqualTo("failed");
        // The reason names every provider's failure; each 503 was retried before the waterfall moved on.
        assertThat(task.getString("task.result.error"))
                .startsWith("all providers failed (")
                .contains("sim-email-a: HTTP 503", "sim-email-b: HTTP 503", "sim-phone: HTTP 503");
        assertThat(task.getList("task.trace.outcome")).isNotEmpty().containsOnly("error");
        assertThat(task.getList("task.trace.detail")).containsOnly("HTTP 503 after 3 attempts");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> receiver.findAll(postRequestedFor(urlEqualTo("/failed")))
                                .size()
                        == 1);
        String body =
                receiver.findAll(postRequestedFor(urlEqualTo("/failed"))).get(0).getBodyAsString();
        JsonPath webhook = JsonPath.from(body);
        assertThat(webhook.getString("status")).isEqualTo("failed");
        assertThat(webhook.getInt("summary.failed")).isEqualTo(2);
        assertThat(webhook.getInt("summary.successful")).isZero();
        assertThat(webhook.getList("results.error", String.class))
                .hasSize(2)
                .allSatisfy(error -> assertThat(error).startsWith("all providers failed ("));
    }
}
