package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** The read-only views the console needs: the workflow list, the webhook backlog and provider latency. */
@QuarkusTest
class ConsoleEndpointsTest {

    @Test
    void listsTheOrganisationsWorkflowsNewestFirstPageByPageAndNobodyElses() {
        Tenant tenant = Gateway.newTenant("list-" + UUID.randomUUID());
        Tenant other = Gateway.newTenant("list-other-" + UUID.randomUUID());
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(0, tenant.submit(Map.of("contacts", List.of(Gateway.person(i)))));
        }
        other.submit(Map.of("contacts", List.of(Gateway.person(9))));
        tenant.awaitTerminal(submitted.get(0), Duration.ofSeconds(30));

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().auth().oauth2(tenant.key()).queryParam("limit", 2);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/public/enrich/workflows")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(page.getList("workflows")).hasSizeLessThanOrEqualTo(2);
            listed.addAll(page.getList("workflows.workflow_id", String.class));
            assertThat(page.getList("workflows.total_prospects", Integer.class)).containsOnly(1);
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null);

        assertThat(listed).containsExactlyElementsOf(submitted);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void refusesABadCursorOrLimitWith400AndNoKeyWith401() {
        Tenant tenant = Gateway.newTenant("list-bad-" + UUID.randomUUID());
        given().auth()
                .oauth2(tenant.key())
                .queryParam("cursor", "not-a-cursor!")
                .get("/api/v1/public/enrich/workflows")
                .then()
                .statusCode(400)
                .body("detail", equalTo("Invalid cursor"));
        given().auth()
                .oauth2(tenant.key())
                .queryParam("limit", 0)
                .get("/api/v1/public/enrich/workflows")
                .then()
                .statusCode(400);
        given().get("/api/v1/public/enrich/workflows").then().statusCode(401);
    }

    @Test
    void operatorSeesTheWebhookBacklogAndProviderLatency() {
        JsonPath backlog = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/webhooks/backlog")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(backlog.getLong("totals.due")).isGreaterThanOrEqualTo(0);
        assertThat(backlog.getList("organizations")).isNotNull();
        assertThat(backlog.getList("oldest")).isNotNull();
        given().get("/api/v1/admin/webhooks/backlog").then().statusCode(401);

        Tenant tenant = Gateway.newTenant("latency-" + UUID.randomUUID());
        tenant.awaitTerminal(tenant.submit(Map.of("contacts", List.of(Gateway.person(1)))), Duration.ofSeconds(30));
        JsonPath providers = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/providers/sim-email-a")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(providers.getLong("latency.calls")).isPositive();
        assertThat(providers.getDouble("latency.mean_ms")).isGreaterThanOrEqualTo(0);
        assertThat(providers.getDouble("latency.max_ms")).isGreaterThanOrEqualTo(0);
    }
}
