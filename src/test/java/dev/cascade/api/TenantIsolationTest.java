package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** §1 Tenancy: another organisation's id answers exactly like an unknown one, on every endpoint that takes an id. */
@QuarkusTest
class TenantIsolationTest {

    @Test
    void aForeignIdAnswersExactlyLikeAnUnknownOneEverywhere() {
        Tenant owner = Gateway.newTenant("owner-" + UUID.randomUUID());
        Tenant stranger = Gateway.newTenant("stranger-" + UUID.randomUUID());
        var accepted = owner.submitForBody(Map.of(
                "webhook_url", "http://127.0.0.1:9/hook", "contacts", List.of(Gateway.person(1), Gateway.person(2))));
        String workflowId = accepted.getString("workflow_id");
        String taskId = accepted.getString("task_ids[0]");
        owner.awaitTerminal(workflowId, Duration.ofSeconds(30));
        String listId = owner.workflow(workflowId).getString("workflow.lead_list_id");
        String unknownWorkflow = "public_bulk_" + UUID.randomUUID();
        String unknownId = UUID.randomUUID().toString();

        // Each probe: (key, id) -> response; the stranger with the owner's id must see what anyone sees for an
        // unknown id, and the owner must see its own.
        Map<String, BiFunction<String, String, Response>> byWorkflow = Map.of(
                "status",
                        (key, id) -> given().auth()
                                .oauth2(key)
                                .queryParam("workflow_id", id)
                                .queryParam("include_results", "true")
                                .get("/api/v1/public/enrich/status"),
                "deliveries",
                        (key, id) -> given().auth()
                                .oauth2(key)
                                .queryParam("workflow_id", id)
                                .get("/api/v1/public/webhooks/deliveries"),
                "redeliver",
                        (key, id) -> given().auth()
                                .oauth2(key)
                                .queryParam("workflow_id", id)
                                .post("/api/v1/public/webhooks/redeliver"),
                "export",
                        (key, id) -> given().auth()
                                .oauth2(key)
                                .queryParam("workflow_id", id)
                                .queryParam("format", "csv")
                                .get("/api/v1/public/enrich/results"),
                "cancel",
                        (key, id) -> given().auth()
                                .oauth2(key)
                                .queryParam("workflow_id", id)
                                .post("/api/v1/public/enrich/cancel"));
        for (var probe : byWorkflow.entrySet()) {
            Response foreign = probe.getValue().apply(stranger.key(), workflowId);
            Response unknown = probe.getValue().apply(stranger.key(), unknownWorkflow);
            assertThat(foreign.statusCode()).as(probe.getKey()).isEqualTo(404);
            assertThat(foreign.asString()).as(probe.getKey()).isEqualTo(unknown.asString());
            assertThat(probe.getValue().apply(owner.key(), workflowId).statusCode())
                    .as(probe.getKey())
                    .isNotEqualTo(404);
        }

        BiFunction<String, String, Response> task = (key, id) -> given().auth()
                .oauth2(key)
                .queryParam("task_id", id)
                .queryParam("include_trace", "true")
                .get("/api/v1/public/enrich/status");
        assertThat(task.apply(stranger.key(), taskId).statusCode()).isEqualTo(404);
        assertThat(task.apply(stranger.key(), taskId).asString())
                .isEqualTo(task.apply(stranger.key(), unknownId).asString());
        assertThat(task.apply(owner.key(), taskId).statusCode()).isEqualTo(200);

        BiFunction<String, String, Response> leads =
                (key, id) -> given().auth().oauth2(key).get("/api/v1/public/lead-lists/" + id + "/leads");
        assertThat(leads.apply(stranger.key(), listId).statusCode()).isEqualTo(404);
        assertThat(leads.apply(stranger.key(), listId).asString())
                .isEqualTo(leads.apply(stranger.key(), unknownId).asString());
        assertThat(leads.apply(owner.key(), listId).statusCode()).isEqualTo(200);

        // Listings and balances show one's own organisation only.
        assertThat(given().auth()
                        .oauth2(stranger.key())
                        .get("/api/v1/public/lead-lists")
                        .jsonPath()
                        .getList("lead_lists"))
                .isEmpty();
        assertThat(given().auth()
                        .oauth2(stranger.key())
                        .get("/api/v1/public/credits/balance")
                        .jsonPath()
                        .getString("organization_id"))
                .isEqualTo(stranger.orgId());
        assertThat(given().auth()
                        .oauth2(stranger.key())
                        .get("/api/v1/public/auth/validate-key")
                        .jsonPath()
                        .getString("organization_id"))
                .isEqualTo(stranger.orgId());
    }
}
