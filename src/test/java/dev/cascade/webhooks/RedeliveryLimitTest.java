package dev.cascade.webhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.time.LocalTime;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** An organisation may redeliver at most `cascade.quotas.redeliveries-per-hour` times per clock hour (100 here). */
@QuarkusTest
class RedeliveryLimitTest {
    private static final int CAP = 100;

    @Test
    void refusesRedeliveriesBeyondTheHourlyCapWith429AndLeavesTheEventAlone() throws Exception {
        Tenant tenant = Gateway.newTenant("redeliver-cap-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String first = "public_bulk_" + UUID.randomUUID();
        String second = "public_bulk_" + UUID.randomUUID();
        String secondEvent = "msg_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            for (String workflow : new String[] {first, second}) {
                Db.exec(
                        conn,
                        "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                                + " webhook_url, completed_at, completed_published_at)"
                                + " VALUES (?, ?, ?, 'none', 'completed', 1, 'http://127.0.0.1:9/hook', now(), now())",
                        workflow,
                        org,
                        list);
                Db.exec(
                        conn,
                        "INSERT INTO webhook_events (id, org_id, workflow_id, event_type, url, status, attempts,"
                                + " payload, finished_at) VALUES (?, ?, ?, 'enrichment.completed',"
                                + " 'http://127.0.0.1:9/hook', 'exhausted', 12, '{}', now())",
                        workflow.equals(second)
                                ? secondEvent
                                : "msg_" + UUID.randomUUID().toString().replace("-", ""),
                        org,
                        workflow);
            }
        }
        // The counter is per clock hour: stay well inside one.
        await().atMost(Duration.ofMinutes(2)).until(() -> LocalTime.now().getMinute() < 59);
        try (Connection conn = Db.connect()) {
            Db.exec(
                    conn,
                    "INSERT INTO rate_limit_windows (scope, window_start, hits)"
                            + " VALUES (?, date_trunc('hour', now()), ?)",
                    "redeliver:" + org,
                    CAP - 1);
        }

        assertThat(redeliver(tenant, first).statusCode()).isEqualTo(202);
        Response refused = redeliver(tenant, second);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("detail"))
                .isEqualTo("Redelivery limit reached: at most 100 redeliveries per hour for the organisation");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L);
        assertThat(Gateway.count(
                        "SELECT count(*) FROM webhook_events WHERE id = ? AND status = 'exhausted'", secondEvent))
                .isEqualTo(1);
        assertThat(Gateway.count(
                        "SELECT hits FROM rate_limit_windows WHERE scope = ? AND window_start = date_trunc('hour', now())",
                        "redeliver:" + org))
                .isEqualTo(CAP);
    }

    private static Response redeliver(Tenant tenant, String workflowId) {
        return given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .extract()
                .response();
    }
}
