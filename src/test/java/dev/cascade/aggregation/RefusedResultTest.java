package dev.cascade.aggregation;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Ledger;
import dev.cascade.testing.Receiver;

/**
 * A result record the database refuses settles its task `failed` with the reason, instead of being skipped (which
 * left the hold in place, the workflow unfinished and the stall sweeper re-running paid provider calls). The refusal
 * is PostgreSQL's own error for a NUL byte (SQLSTATE 22021), raised by a trigger for results that carry a marker,
 * since the gateway's own records no longer carry anything PostgreSQL refuses.
 */
@QuarkusTest
class RefusedResultTest {
    private final String marker = "Refuse" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
    private WireMockServer receiver;

    @BeforeEach
    void setUp() throws Exception {
        receiver = Receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(ok()));
        try (Connection conn = Db.connect()) {
            Db.exec(conn, """
                    CREATE FUNCTION refuse_marked_result() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.result::text LIKE '%%%s%%' THEN
                            RAISE EXCEPTION 'invalid byte sequence for encoding "UTF8": 0x00'
                                USING ERRCODE = 'character_not_in_repertoire';
                        END IF;
                        RETURN NEW;
                    END $$""".formatted(marker));
            Db.exec(
                    conn,
                    "CREATE TRIGGER refuse_marked_result BEFORE UPDATE ON tasks FOR EACH ROW"
                            + " EXECUTE FUNCTION refuse_marked_result()");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        receiver.stop();
        try (Connection conn = Db.connect()) {
            Db.exec(conn, "DROP TRIGGER refuse_marked_result ON tasks");
            Db.exec(conn, "DROP FUNCTION refuse_marked_result()");
        }
    }

    @Test
    void aResultTheDatabaseRefusesSettlesItsTaskFailedReleasesItsHoldAndTheWebhookFiresOnce() {
        Tenant tenant = Gateway.newTenant("refused-" + UUID.randomUUID(), 1000);
        JsonPath accepted = tenant.submitForBody(Map.of(
                "enrichment_type",
                "partial",
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + "/hook",
                "custom",
                Map.of("campaign", "refused"),
                "contacts",
                List.of(
                        Gateway.person(1),
                        Map.of("first_name", marker, "last_name", "Wedge", "company_domain", "wedge.com"),
                        Gateway.person(2))));
        String workflowId = accepted.getString("workflow_id");

        JsonPath workflow = tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        assertThat(workflow.getInt("workflow.failed_prospects")).isEqualTo(1);
        assertThat(workflow.getInt("workflow.completed_prospects")).isEqualTo(2);
        JsonPath refused = tenant.task(accepted.getString("task_ids[1]"));
        assertThat(refused.getString("task.status")).isEqualTo("failed");
        assertThat(refused.getString("task.result.error")).isEqualTo("result refused by the database (SQLSTATE 22021)");
        assertThat(refused.getString("task.result.custom.campaign")).isEqualTo("refused");
        assertThat(tenant.task(accepted.getString("task_ids[0]")).getString("task.status"))
                .isEqualTo("completed");

        // The refused task is charged nothing and its part of the hold is released: nothing of the workflow is held.
        List<Ledger.Entry> rows = Ledger.entries(tenant.orgId()).stream()
                .filter(e -> workflowId.equals(e.workflowId()))
                .toList();
        assertThat(rows)
                .noneMatch(e -> e.kind().equals("charge")
                        && accepted.getString("task_ids[1]").equals(e.taskId()));
        BigDecimal holds = Ledger.sum(rows.stream()
                .filter(e -> e.kind().equals("hold") || e.kind().equals("release"))
                .toList());
        assertThat(holds).isZero();
        Ledger.assertExplainsBalance(tenant);

        // One webhook, and only one.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                                .size()
                        == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))).hasSize(1);
        assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                        .get(0)
                        .getBodyAsString())
                .contains("\"status\":\"completed_with_errors\"");
        // The refused settle was rolled back before its connection went back to the pool: none is left waiting in a
        // transaction.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND state LIKE 'idle in transaction%'")
                        == 0);
    }
}
