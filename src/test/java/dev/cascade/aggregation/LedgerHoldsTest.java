package dev.cascade.aggregation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * The open credit holds are on /q/metrics for the alert on holds older than an hour (CascadeLedgerHoldOld): an
 * unfinished workflow that has held credits for two hours shows as the oldest hold, with its credits, and no longer
 * once it is finished.
 */
@QuarkusTest
class LedgerHoldsTest {
    @Test
    void anUnfinishedWorkflowHoldingCreditsForTwoHoursIsTheOldestHold() throws Exception {
        Tenant tenant = Gateway.newTenant("holds-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            // A workflow whose tasks stopped settling two hours ago (no tasks: the sweeps have nothing to re-publish).
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " credits_held, created_at, dispatched_at)"
                            + " VALUES (?, ?, ?, 'partial', 'running', 1, 7, now() - interval '2 hours', now())",
                    workflowId,
                    org,
                    list);
            try {
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> {
                            String metrics = metrics();
                            assertThat(sample(metrics, "cascade_ledger_holds_oldest_seconds"))
                                    .isGreaterThanOrEqualTo(7200);
                            assertThat(sample(metrics, "cascade_ledger_holds_credits"))
                                    .isGreaterThanOrEqualTo(7);
                            assertThat(sample(metrics, "cascade_ledger_holds_open"))
                                    .isGreaterThanOrEqualTo(1);
                        });
                Db.exec(conn, "UPDATE workflows SET status = 'completed', credits_held = 0 WHERE id = ?", workflowId);
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> assertThat(sample(metrics(), "cascade_ledger_holds_oldest_seconds"))
                                .isLessThan(7200));
            } finally {
                Db.exec(conn, "DELETE FROM workflows WHERE id = ?", workflowId);
            }
        }
    }

    private static String metrics() {
        return given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    private static double sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(2)) : -1;
    }
}
