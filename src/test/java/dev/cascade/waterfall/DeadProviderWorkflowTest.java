package dev.cascade.waterfall;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.logging.Log;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * The "must show": a 250-contact `full` workflow whose first email provider refuses every connection still
 * completes through the next providers; that provider's breaker opens after its threshold (seen by the operator and in
 * the metrics), after which its calls are skipped instead of made, so the workflow's duration stays bounded.
 */
@QuarkusTest
class DeadProviderWorkflowTest {
    /** A dead first email provider before a working one, then verification and phones. */
    private static final Map<String, Object> WATERFALL = Map.of(
            "email", List.of("dead-hunter", "sim-email-b"), "verify", "sim-verify", "phone", List.of("sim-phone"));

    @AfterEach
    void closeBreaker() {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/dead-hunter/circuit/reset")
                .then()
                .statusCode(200);
    }

    @Test
    void aWorkflowWhoseFirstEmailProviderRefusesConnectionsCompletesAndOpensThatProvidersBreaker() {
        Tenant tenant = Gateway.newTenant("dead-first-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            contacts.add(Gateway.person(10_000 + i));
        }
        // Counters are the process's own; other tests (ResultShapesTest) call dead-hunter too, so compare deltas.
        JsonPath before = deadHunter();
        long errorsBefore = before.getLong("counters.error");
        long skippedBefore = before.getLong("counters.skipped");
        long started = System.nanoTime();
        String workflowId =
                tenant.submit(Map.of("enrichment_type", "full", "contacts", contacts, "waterfall", WATERFALL));

        // A bound, not a benchmark: without the breaker every task would pay for the refused calls and their retries.
        JsonPath workflow = tenant.awaitTerminal(workflowId, Duration.ofSeconds(90));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        Log.infof("250-contact full workflow with a dead first email provider settled in %d ms", elapsedMs);

        assertThat(workflow.getString("workflow.status")).isEqualTo("completed");
        assertThat(workflow.getInt("workflow.completed_prospects")).isEqualTo(250);
        assertThat(workflow.getInt("workflow.failed_prospects")).isZero();
        assertThat(workflow.getInt("workflow.emails_found")).isGreaterThan(150);

        JsonPath providers = deadHunter();
        Log.infof("dead-hunter as the operator sees it: %s", providers.prettify());
        assertThat(providers.getString("circuit_state")).isEqualTo("open");
        long errors = providers.getLong("counters.error") - errorsBefore;
        long skipped = providers.getLong("counters.skipped") - skippedBefore;
        assertThat(errors).isGreaterThanOrEqualTo(1);
        assertThat(errors + skipped).isGreaterThanOrEqualTo(250);
        // How many calls reach the dead vendor before its breaker opens depends on timing alone: all 250 tasks may be
        // in flight at once, and calls admitted while it was closed all fail (37 seen idle, 114 and 250 on loaded
        // runs). What the breaker guarantees is what follows: once open, no call reaches the vendor.
        String second = tenant.submit(Map.of(
                "enrichment_type",
                "full",
                "contacts",
                // Other people: the first workflow's are in the result cache now.
                java.util.stream.IntStream.range(0, 50)
                        .mapToObj(i -> Gateway.person(20_000 + i))
                        .toList(),
                "waterfall",
                WATERFALL));
        assertThat(tenant.awaitTerminal(second, Duration.ofSeconds(90)).getString("workflow.status"))
                .isEqualTo("completed");
        JsonPath after = deadHunter();
        assertThat(after.getLong("counters.error") - before.getLong("counters.error") - errors)
                .as("calls reaching the vendor while its breaker is open")
                .isZero();
        assertThat(after.getLong("counters.skipped") - before.getLong("counters.skipped") - skipped)
                .isGreaterThanOrEqualTo(50);
        Log.infof("dead-hunter: %d calls failed before the breaker opened, %d skipped after", errors, skipped);

        String metrics = given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics).contains("cascade_provider_circuit_state{provider=\"dead-hunter\"} 2.0");
        assertThat(metrics)
                .containsPattern("cascade_provider_calls_total\\{capability=\"email\",outcome=\"skipped\","
                        + "provider=\"dead-hunter\"} [1-9]");

        // Every task's trace tells which: refused (`error`) or not even tried (`skipped`, circuit open).
        JsonPath results = tenant.results(workflowId);
        List<String> taskIds = results.getList("workflow.results.task_id");
        JsonPath last = tenant.task(taskIds.get(taskIds.size() - 1));
        List<Map<String, Object>> trace = last.getList("task.trace");
        assertThat(trace)
                .anySatisfy(step -> assertThat(step)
                        .containsEntry("provider", "dead-hunter")
                        .containsEntry("capability", "email"));
        long skippedSteps = 0;
        for (String taskId : tenant.results(second).<String>getList("workflow.results.task_id")) {
            for (Map<String, Object> step : tenant.task(taskId).<Map<String, Object>>getList("task.trace")) {
                if ("dead-hunter".equals(step.get("provider")) && "skipped".equals(step.get("outcome"))) {
                    assertThat(step.get("detail")).isEqualTo("circuit open");
                    skippedSteps++;
                }
            }
        }
        assertThat(skippedSteps).isEqualTo(50);
    }

    private static JsonPath deadHunter() {
        return given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/providers/dead-hunter")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
