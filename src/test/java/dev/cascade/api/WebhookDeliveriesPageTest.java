package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** `GET /webhooks/deliveries` a page at a time: limit, cursor, next_cursor. */
@QuarkusTest
class WebhookDeliveriesPageTest {

    @Test
    void walksEveryAttemptOncePageByPageInLogOrder() throws Exception {
        Tenant tenant = Gateway.newTenant("deliveries-" + UUID.randomUUID());
        String workflow = seed(tenant, 25);

        JsonPath whole = page(tenant, workflow, null, null, 200);
        List<String> all = whole.getList("deliveries.delivery_id");
        assertThat(all).hasSize(25).doesNotHaveDuplicates();
        assertThat(whole.getString("next_cursor")).isNull();

        List<String> walked = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = page(tenant, workflow, "7", cursor, 200);
            List<String> ids = page.getList("deliveries.delivery_id");
            sizes.add(ids.size());
            walked.addAll(ids);
            assertThat(page.getString("webhook_url")).isEqualTo("https://example.com/hook");
            cursor = page.getString("next_cursor");
        } while (cursor != null);

        assertThat(sizes).containsExactly(7, 7, 7, 4);
        assertThat(walked).containsExactlyElementsOf(all);
    }

    @Test
    void refusesBadLimitsAndCursors() throws Exception {
        Tenant tenant = Gateway.newTenant("deliveries-bad-" + UUID.randomUUID());
        String workflow = seed(tenant, 1);
        assertThat(page(tenant, workflow, "0", null, 400).getString("detail"))
                .isEqualTo("limit must be an integer from 1 to 1000");
        page(tenant, workflow, "1001", null, 400);
        assertThat(page(tenant, workflow, null, "bm90LWEtY3Vyc29y", 400).getString("detail"))
                .isEqualTo("Invalid cursor");
    }

    /** A workflow with two events and {@code attempts} attempts, several of them at the very same instant. */
    private static String seed(Tenant tenant, int attempts) throws Exception {
        UUID org = UUID.fromString(tenant.orgId());
        String workflow = "public_bulk_" + UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " webhook_url, completed_at, completed_published_at)"
                            + " VALUES (?, ?, ?, 'none', 'completed', 1, 'https://example.com/hook', now(), now())",
                    workflow,
                    org,
                    list);
            String[] events = {"msg_a" + UUID.randomUUID(), "msg_b" + UUID.randomUUID()};
            for (String event : events) {
                Db.exec(
                        conn,
                        "INSERT INTO webhook_events (id, org_id, workflow_id, task_id, event_type, url, status)"
                                + " VALUES (?, ?, ?, ?, 'enrichment.contact_completed', 'https://example.com/hook',"
                                + " 'exhausted')",
                        event,
                        org,
                        workflow,
                        UUID.randomUUID());
            }
            for (int i = 0; i < attempts; i++) {
                // Groups of three attempts share one timestamp (and the two events share attempt numbers).
                Db.exec(
                        conn,
                        "INSERT INTO webhook_attempts (id, event_id, workflow_id, attempt, status, error, attempted_at)"
                                + " VALUES (?, ?, ?, ?, 'failed', 'HTTP 503',"
                                + " timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => ?))",
                        UUID.randomUUID(),
                        events[i % 2],
                        workflow,
                        i / 2 + 1,
                        (double) (i / 3));
            }
        }
        return workflow;
    }

    private static JsonPath page(Tenant tenant, String workflow, String limit, String cursor, int status) {
        var request = given().auth().oauth2(tenant.key()).queryParam("workflow_id", workflow);
        if (limit != null) {
            request = request.queryParam("limit", limit);
        }
        if (cursor != null) {
            request = request.queryParam("cursor", cursor);
        }
        return request.get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(status)
                .extract()
                .jsonPath();
    }
}
