package dev.cascade.aggregation;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

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
import dev.cascade.testing.SlowVendor;
import dev.cascade.testing.VendorStubs;

/**
 * A cancel made by another process while a workflow's task records are queued (§4.6): this process has not heard of
 * it, yet no vendor is called for those tasks, because each is claimed in PostgreSQL under its workflow's row lock
 * before any provider call. The other process's cancel is played by a transaction of the test that holds the
 * workflow's lock and sets {@code cancelled_at} while the waterfall reaches the queued tasks.
 */
@QuarkusTest
class CancelRaceTest {
    private static final Map<String, Object> SLOW = SlowVendor.WATERFALL;

    private WireMockServer receiver;

    @BeforeEach
    void setUp() {
        receiver = Receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(ok()));
        SlowVendor.answerSlowly();
    }

    @AfterEach
    void tearDown() {
        receiver.stop();
    }

    @Test
    void aCancelFromAnotherProcessWhileTaskRecordsAreQueuedMeansNoVendorCallForThem() throws Exception {
        Tenant tenant = Gateway.newTenant("cancel-race-" + UUID.randomUUID(), 10000);
        // Fill every waterfall slot (256 in flight) with slow tasks, so the next workflow's task records wait queued.
        String blockerA = tenant.submit(Map.of("waterfall", SLOW, "contacts", contacts("Block", 0, 250)));
        String blockerB = tenant.submit(Map.of("waterfall", SLOW, "contacts", contacts("Block", 300, 20)));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM tasks WHERE workflow_id IN (?, ?) AND status = 'running'",
                                blockerA,
                                blockerB)
                        >= 256);
        JsonPath accepted = tenant.submitForBody(Map.of(
                "waterfall",
                SLOW,
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + "/hook",
                "contacts",
                contacts("Race", 1000, 30)));
        String workflowId = accepted.getString("workflow_id");

        try (Connection other = Db.connect()) {
            // Another process cancels: it holds the workflow's lock and has set cancelled_at, not yet committed.
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("SELECT id FROM workflows WHERE id = ? FOR NO KEY UPDATE")) {
                lock.setString(1, workflowId);
                assertThat(lock.executeQuery().next()).isTrue();
            }
            Db.exec(other, "UPDATE workflows SET cancelled_at = now() WHERE id = ?", workflowId);
            // The blockers finish and the waterfall reaches the queued records: their claim waits for the lock.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Gateway.count(
                                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                            + " AND wait_event_type = 'Lock' AND query LIKE '%UPDATE tasks SET status%'")
                            > 0);
            other.commit();
        }

        // Every queued task is answered `cancelled` without a provider call; the workflow is terminal, nothing charged,
        // its hold released, its webhook fired once.
        JsonPath results = tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        assertThat(results.getString("workflow.status")).isEqualTo("failed");
        List<Map<String, Object>> items = tenant.results(workflowId).getList("workflow.results");
        assertThat(items)
                .hasSize(30)
                .allSatisfy(item -> assertThat(item.get("error")).isEqualTo("cancelled"));
        List<Ledger.Entry> rows = Ledger.entries(tenant.orgId()).stream()
                .filter(e -> workflowId.equals(e.workflowId()))
                .toList();
        assertThat(Ledger.sum(rows)).isZero();
        assertThat(rows).noneMatch(e -> e.kind().equals("charge"));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                                .size()
                        == 1);

        tenant.awaitTerminal(blockerA, Duration.ofSeconds(60));
        tenant.awaitTerminal(blockerB, Duration.ofSeconds(60));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(VendorStubs.server()
                        .findAll(getRequestedFor(urlPathEqualTo("/slow/v2/email-finder"))
                                .withQueryParam("first_name", matching("Race1[0-9]{3}"))))
                .isEmpty();
        assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))).hasSize(1);
        Ledger.assertExplainsBalance(tenant);
    }

    private static List<Map<String, Object>> contacts(String prefix, int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(i -> Map.<String, Object>of(
                        "first_name", prefix + i, "last_name", "Slow", "company_domain", "slow" + i + ".com"))
                .toList();
    }
}
