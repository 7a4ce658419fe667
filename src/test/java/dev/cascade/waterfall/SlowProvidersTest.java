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

import dev.cascade.events.Contact;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.waterfall.providers.AdapterHarness;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.simulated.SimulatedProviders;

/**
 * Tasks show `running` while their providers work; a task past its deadline settles with what was found so far, or
 * `failed` when that is nothing.
 */
@QuarkusTest
@TestProfile(SlowProvidersProfile.class)
class SlowProvidersTest {

    @Test
    void aTaskIsRunningWhileItsProvidersWorkAndFailsAtItsDeadlineWhenNothingWasFound() {
        Tenant tenant = Gateway.newTenant("slow-" + UUID.randomUUID());
        JsonPath submitted = given().auth()
                .oauth2(tenant.key())
                .contentType("application/json")
                // partial: email finder (1.5 s) + verifier (1.5 s) do not fit the 2.5 s deadline.
                .body(Map.of("enrichment_type", "partial", "contacts", List.of(Gateway.person(7))))
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

    @Test
    void aTaskCutShortByItsDeadlineKeepsWhatWasAlreadyFound() {
        // full: the phone finder (1.5 s) fits the 2.5 s deadline, the email finder + verifier (3 s) do not. The
        // number found (and paid for) is kept: the task completes with it, and is not cached as a whole answer.
        Map<String, Object> withPhone = personWithSimulatedPhone();
        Tenant tenant = Gateway.newTenant("slow-found-" + UUID.randomUUID());
        JsonPath submitted = tenant.submitForBody(Map.of("enrichment_type", "full", "contacts", List.of(withPhone)));
        tenant.awaitTerminal(submitted.getString("workflow_id"), Duration.ofSeconds(20));

        JsonPath task = task(tenant, submitted.getString("task_ids[0]"));
        assertThat(task.getString("task.status")).isEqualTo("completed");
        assertThat(task.getList("task.result.personal_phone_numbers")).isNotEmpty();
        assertThat(task.getString("task.result.primary_email")).isNull();
        assertThat(task.getList("task.trace.provider")).contains("sim-phone");
        assertThat(Gateway.count("SELECT count(*) FROM result_cache WHERE org_id = ?::uuid", tenant.orgId()))
                .isZero();
    }

    /** A contact the simulated phone finder knows (it is deterministic per contact). */
    private static Map<String, Object> personWithSimulatedPhone() {
        var simulator = AdapterHarness.config(Map.of()).simulator();
        Provider phone = SimulatedProviders.all(simulator).stream()
                .filter(p -> p.name().equals("sim-phone"))
                .findFirst()
                .orElseThrow();
        for (int i = 0; i < 100; i++) {
            Map<String, Object> person = Gateway.person(500 + i);
            Contact contact = new Contact(
                    null,
                    (String) person.get("first_name"),
                    (String) person.get("last_name"),
                    (String) person.get("company_domain"),
                    null);
            if (phone.lookup(Capability.PHONE, new ProviderQuery(contact, null, 0))
                            .await()
                            .atMost(Duration.ofSeconds(5))
                    instanceof ProviderOutcome.Hit) {
                return person;
            }
        }
        throw new IllegalStateException("no simulated person with a phone");
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
