package dev.cascade.intake;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaResource;
import dev.cascade.testing.Ledger;
import dev.cascade.testing.Ledger.Entry;
import dev.cascade.testing.Receiver;

/**
 * No workflow holds credits forever (issue 13 item 4): a workflow whose task records the broker refuses is given up
 * after `cascade.dispatch.max-attempts` sweeper attempts or `cascade.dispatch.give-up-after`: `failed` with a reason,
 * its hold released, its webhook sent once, counted and logged.
 */
@QuarkusTest
@TestProfile(UnwritableTasksProfile.class)
class DispatchGiveUpTest {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private WireMockServer receiver;

    @BeforeAll
    static void refuseEveryTaskRecord() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            try {
                admin.createTopics(List.of(new NewTopic(UnwritableTasksProfile.TOPIC, 1, (short) 1)
                                .configs(Map.of("max.message.bytes", "1"))))
                        .all()
                        .get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // The waterfall's consumer created it when it subscribed: make it refuse every record now.
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, UnwritableTasksProfile.TOPIC);
                admin.incrementalAlterConfigs(Map.of(
                                topic,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("max.message.bytes", "1"), AlterConfigOp.OpType.SET))))
                        .all()
                        .get();
            }
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, UnwritableTasksProfile.TOPIC);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> "1"
                            .equals(admin.describeConfigs(List.of(topic))
                                    .all()
                                    .get()
                                    .get(topic)
                                    .get("max.message.bytes")
                                    .value()));
        }
    }

    @BeforeEach
    void startReceiver() {
        receiver = Receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(ok()));
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop();
    }

    @Test
    void aWorkflowThatCannotBeDispatchedFailsAfterItsAttemptsWithItsHoldReleasedAndOneWebhook() {
        Tenant tenant = Gateway.newTenant("undispatchable-" + UUID.randomUUID(), 100);
        // Accepted (the submit never fails on the broker: the sweeper publishes later), holding 3.
        String workflowId = tenant.submit(Map.of(
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + "/hook",
                "contacts",
                List.of(Gateway.person(1), Gateway.person(2), Gateway.person(3))));

        JsonPath status = tenant.awaitTerminal(workflowId, SETTLE);
        assertThat(status.getString("workflow.status")).isEqualTo("failed");
        assertThat(status.getInt("workflow.failed_prospects")).isEqualTo(3);
        assertThat(new BigDecimal(status.getString("workflow.credits_charged"))).isZero();
        List<Map<String, Object>> items = tenant.results(workflowId).getList("workflow.results");
        assertThat(items).hasSize(3).allSatisfy(item -> {
            assertThat(item.get("status")).isEqualTo("failed");
            assertThat(item.get("error")).isEqualTo("dispatch_failed");
        });
        // Given up after exactly the configured attempts, never tried again.
        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND dispatch_abandoned_at IS NOT NULL"
                                + " AND dispatched_at IS NULL AND dispatch_attempts = 2",
                        workflowId))
                .isEqualTo(1);

        // The hold is released whole, nothing charged, and the ledger still explains the balance.
        List<Entry> rows = Ledger.entries(tenant.orgId()).stream()
                .filter(e -> workflowId.equals(e.workflowId()))
                .toList();
        assertThat(rows.stream().filter(e -> e.kind().equals("hold")).map(Entry::amount))
                .singleElement()
                .satisfies(amount -> assertThat(amount).isEqualByComparingTo("-3"));
        assertThat(rows.stream()
                        .filter(e -> e.kind().equals("release"))
                        .map(Entry::amount)
                        .reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("3");
        assertThat(rows).noneMatch(e -> e.kind().equals("charge"));
        Ledger.assertExplainsBalance(tenant);

        // One webhook, saying failed.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> receiver.findAll(postRequestedFor(urlPathEqualTo("/hook")))
                                .size()
                        == 1);
        receiver.verify(
                1,
                postRequestedFor(urlPathEqualTo("/hook"))
                        .withRequestBody(matchingJsonPath("$.workflow_id", equalTo(workflowId)))
                        .withRequestBody(matchingJsonPath("$.status", equalTo("failed"))));
        assertThat(Gateway.count(
                        "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND event_type = 'enrichment.completed'",
                        workflowId))
                .isEqualTo(1);

        // Counted, by reason, on the management port.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(metrics())
                        .containsPattern(
                                "cascade_dispatch_abandoned_total\\{[^}]*reason=\"max_attempts\"[^}]*} [1-9]"));
    }

    @Test
    void aWorkflowUnpublishedForLongerThanTheGiveUpTimeFailsAtItsNextFailedAttempt() throws Exception {
        Tenant tenant = Gateway.newTenant("stale-" + UUID.randomUUID(), 100);
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        // Accepted two hours ago and never dispatched (every gateway was away since), holding 2 for two tasks.
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " options, created_at, unit_hold, credits_held) VALUES (?, ?, ?, 'partial', 'pending', 2,"
                            + " '{}'::jsonb, now() - interval '2 hours', 1, 2)",
                    workflowId,
                    org,
                    list);
            Db.exec(conn, "UPDATE organizations SET credits_held = credits_held + 2 WHERE id = ?", org);
            Db.exec(
                    conn,
                    "INSERT INTO credit_ledger (org_id, kind, amount, workflow_id) VALUES (?, 'hold', -2, ?)",
                    org,
                    workflowId);
            for (int i = 0; i < 2; i++) {
                Db.pendingTask(conn, UUID.randomUUID(), workflowId, org, list, i, Db.person(i));
            }
        }
        JsonPath status = tenant.awaitTerminal(workflowId, SETTLE);
        assertThat(status.getString("workflow.status")).isEqualTo("failed");
        // One attempt was made (the broker might have been back), and only its failure gave the workflow up.
        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND dispatch_attempts = 1"
                                + " AND dispatch_abandoned_at IS NOT NULL",
                        workflowId))
                .isEqualTo(1);
        Ledger.assertExplainsBalance(tenant);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(metrics())
                        .containsPattern(
                                "cascade_dispatch_abandoned_total\\{[^}]*reason=\"give_up_after\"[^}]*} [1-9]"));
    }

    @Test
    void aWorkflowWhoseAttemptsAreSpentIsGivenUpWithoutAnotherAttempt() throws Exception {
        Tenant tenant = Gateway.newTenant("spent-" + UUID.randomUUID(), 100);
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        // Two attempts claimed already whose outcome never came back (their gateways died mid-publish): the next
        // claim is past the bound of 2, so the workflow is given up at once, publishing nothing more.
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " options, created_at, dispatch_attempts, dispatch_failing_since) VALUES (?, ?, ?,"
                            + " 'partial', 'pending', 1, '{}'::jsonb, now() - interval '1 minute', 2,"
                            + " now() - interval '1 minute')",
                    workflowId,
                    org,
                    list);
            Db.pendingTask(conn, UUID.randomUUID(), workflowId, org, list, 0, "{\"company_name\":\"Acme\"}");
        }
        JsonPath status = tenant.awaitTerminal(workflowId, SETTLE);
        assertThat(status.getString("workflow.status")).isEqualTo("failed");
        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND dispatch_attempts = 3"
                                + " AND dispatch_abandoned_at IS NOT NULL",
                        workflowId))
                .isEqualTo(1);
        assertThat(Gateway.count(
                        "SELECT count(*) FROM tasks WHERE workflow_id = ? AND status = 'failed'"
                                + " AND error = 'dispatch_failed'",
                        workflowId))
                .isEqualTo(1);
    }

    private static String metrics() {
        return given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }
}
