package dev.cascade.waterfall;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** Tasks show `running` while their providers work, and a task past its deadline settles `failed`. */
@QuarkusTest
@TestProfile(SlowProvidersProfile.class)
class SlowProvidersTest {

    @Test
    void aTaskIsRunningWhileItsProvidersWorkAndFailsAtItsDeadline() {
        Tenant tenant = Gateway.newTenant("slow-" + UUID.randomUUID());
        JsonPath submitted = given().auth()
                .oauth2(tenant.key())
                .contentType("application/json")
                // full: the phone finder (1.5 s) would fit the 2.5 s deadline, email finder + verifier (3 s) do not.
                .body(Map.of("enrichment_type", "full", "contacts", List.of(Gateway.person(7))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String workflowId = submitted.getString("workflow_id");
        String taskId = submitted.getString("task_ids[0]");

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "running".equals(task(tenant, taskId).getString("task.status")));
        assertThat(tenant.workflow(workflowId).getString("workflow.status")).isEqualTo("running");

        JsonPath done = tenant.awaitTerminal(workflowId, Duration.ofSeconds(20));
        assertThat(done.getString("workflow.status")).isEqualTo("failed");
        JsonPath failed = task(tenant, taskId);
        assertThat(failed.getString("task.status")).isEqualTo("failed");
        assertThat(failed.getString("task.result.error")).isEqualTo("deadline exceeded");
        // The steps finished before the deadline are kept.
        assertThat(failed.getList("task.trace.provider")).contains("sim-email-a");
    }

    private static JsonPath task(Tenant tenant, String taskId) {
        return given().auth()
                .oauth2(tenant.key())
                .queryParam("task_id", taskId)
                .queryParam("include_trace", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
