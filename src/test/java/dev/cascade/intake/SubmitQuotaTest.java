package dev.cascade.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** Per-organisation quotas on unfinished workflows and contacts per day: beyond them 429, and nothing written. */
@QuarkusTest
class SubmitQuotaTest {

    @Test
    void refusesSubmitBeyondUnfinishedWorkflowQuotaAndWritesNothing() throws Exception {
        Tenant tenant = Gateway.newTenant("quota-pending-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        setQuotas(tenant, 1, null);
        String running = "public_bulk_" + UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects)"
                            + " VALUES (?, ?, ?, 'partial', 'running', 1)",
                    running,
                    org,
                    list);
        }
        Snapshot before = Snapshot.of(org);

        Response refused = submit(tenant, "partial", 2, null);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("detail"))
                .isEqualTo("Too many unfinished workflows: at most 1 may be pending or running at once");
        assertThat(refused.header("Retry-After")).isEqualTo("30");
        assertThat(Snapshot.of(org)).isEqualTo(before);

        try (Connection conn = Db.connect()) {
            Db.exec(conn, "UPDATE workflows SET status = 'completed', completed_at = now() WHERE id = ?", running);
        }
        assertThat(submit(tenant, "partial", 2, null).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesContactsBeyondTheDailyQuotaUntilMidnightAndWritesNothing() {
        Tenant tenant = Gateway.newTenant("quota-contacts-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        setQuotas(tenant, null, 3);
        // `none` settles no credits afterwards, so the snapshot below stays still.
        assertThat(submit(tenant, "none", 2, null).statusCode()).isEqualTo(200);
        Snapshot before = Snapshot.of(org);

        Response refused = submit(tenant, "partial", 2, null);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("detail"))
                .isEqualTo("Daily contact quota reached: 3 contacts per day (UTC), 2 used today, this request has 2");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 86_400L);
        assertThat(Snapshot.of(org)).isEqualTo(before);
        // What is left of the day's quota is still there.
        assertThat(submit(tenant, "none", 1, null).statusCode()).isEqualTo(200);
        assertThat(submit(tenant, "none", 1, null).statusCode()).isEqualTo(429);
    }

    @Test
    void idempotentReplayAnswersTheFirstResponseEvenWhenTheQuotaIsFull() {
        Tenant tenant = Gateway.newTenant("quota-replay-" + UUID.randomUUID());
        setQuotas(tenant, null, 2);
        String key = "quota-" + UUID.randomUUID();
        Response first = submit(tenant, "none", 2, key);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(submit(tenant, "none", 1, null).statusCode()).isEqualTo(429);

        Response replay = submit(tenant, "none", 2, key);

        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.jsonPath().getString("workflow_id"))
                .isEqualTo(first.jsonPath().getString("workflow_id"));
    }

    @Test
    void refusesQuotaOverridesOutOfRangeAndResetsWithNull() {
        Tenant tenant = Gateway.newTenant("quota-admin-" + UUID.randomUUID());
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("max_pending_workflows", -1))
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/quotas")
                .then()
                .statusCode(422);
        setQuotas(tenant, 5, 0);
        Map<String, Object> reset = new HashMap<>();
        reset.put("max_pending_workflows", null);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(reset)
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/quotas")
                .then()
                .statusCode(200)
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("max_pending_workflows")));
    }

    private static void setQuotas(Tenant tenant, Integer pending, Integer contacts) {
        Map<String, Object> body = new HashMap<>();
        body.put("max_pending_workflows", pending);
        body.put("max_contacts_per_day", contacts);
        var response = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(body)
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/quotas")
                .then()
                .statusCode(200);
        if (pending != null) {
            response.body("max_pending_workflows", equalTo(pending));
        }
        if (contacts != null) {
            response.body("max_contacts_per_day", equalTo(contacts));
        }
    }

    private static Response submit(Tenant tenant, String type, int contacts, String idempotencyKey) {
        List<Map<String, Object>> people = new java.util.ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            people.add(Gateway.person(i));
        }
        var request = given().auth().oauth2(tenant.key()).contentType(ContentType.JSON);
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.body(Map.of("enrichment_type", type, "contacts", people))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .extract()
                .response();
    }

    /** What a refused submit must leave as it was. */
    record Snapshot(long workflows, long tasks, long ledgerRows, long creditsHeldCents, long contactsToday) {
        static Snapshot of(UUID org) {
            return new Snapshot(
                    Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org),
                    Gateway.count("SELECT count(*) FROM tasks WHERE org_id = ?", org),
                    Gateway.count("SELECT count(*) FROM credit_ledger WHERE org_id = ?", org),
                    Gateway.count("SELECT (credits_held * 100)::bigint FROM organizations WHERE id = ?", org),
                    Gateway.count("SELECT contacts_today FROM organizations WHERE id = ?", org));
        }
    }
}
