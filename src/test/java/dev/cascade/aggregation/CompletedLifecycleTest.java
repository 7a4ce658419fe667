package dev.cascade.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;

/** The `completed` lifecycle record goes out at least once, even when a crash kept it from its first publish. */
@QuarkusTest
class CompletedLifecycleTest {

    @Test
    void aCompletedRecordLostInACrashIsPublishedByTheSweep() throws Exception {
        Tenant tenant = Gateway.newTenant("lifecycle-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        // What a gateway that died right after the settling commit leaves: terminal, its record never acknowledged.
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " completed_prospects, emails_found, dispatched_at, completed_at)"
                            + " VALUES (?, ?, ?, 'partial', 'completed', 1, 1, 1, now() - interval '1 minute',"
                            + " now() - interval '30 seconds')",
                    workflowId,
                    org,
                    list);
        }
        List<ConsumerRecord<String, String>> seen = lifecycleRecords(workflowId, "lifecycle-sweep");
        ConsumerRecord<String, String> record = seen.get(0);
        assertThat(new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8))
                .isEqualTo(workflowId + ":completed");
        assertThat(record.value())
                .contains("\"event\":\"completed\"")
                .contains("\"status\":\"completed\"")
                .contains("\"emails_found\":1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id = ? AND completed_published_at IS NOT NULL",
                                workflowId)
                        == 1);
    }

    @Test
    void aStartedRecordLostInACrashIsPublishedByItsSweepEvenAfterTheWorkflowFinished() throws Exception {
        Tenant tenant = Gateway.newTenant("lifecycle-started-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " completed_prospects, dispatched_at, completed_at, completed_published_at, created_at)"
                            + " VALUES (?, ?, ?, 'full', 'completed', 4, 4, now() - interval '1 minute',"
                            + " now() - interval '50 seconds', now(), now() - interval '1 minute')",
                    workflowId,
                    org,
                    list);
        }
        List<ConsumerRecord<String, String>> seen = lifecycleRecords(workflowId, "lifecycle-started");
        assertThat(new String(seen.get(0).headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8))
                .isEqualTo(workflowId + ":started");
        assertThat(seen.get(0).value()).contains("\"event\":\"started\"").contains("\"total_prospects\":4");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id = ? AND started_published_at IS NOT NULL",
                                workflowId)
                        == 1);
    }

    @Test
    void aWorkflowThatCompletesNormallyIsMarkedPublished() {
        Tenant tenant = Gateway.newTenant("lifecycle-ok-" + UUID.randomUUID());
        String workflowId = tenant.submit(java.util.Map.of("contacts", List.of(Gateway.person(1))));
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id = ? AND completed_published_at IS NOT NULL"
                                        + " AND started_published_at IS NOT NULL",
                                workflowId)
                        == 1);
    }

    @Test
    void aSubmitsStartedRecordCarriesTheKeyAndHeadersOfEveryLifecycleRecord() {
        Tenant tenant = Gateway.newTenant("lifecycle-submit-" + UUID.randomUUID());
        String workflowId = tenant.submit(java.util.Map.of("contacts", List.of(Gateway.person(1), Gateway.person(2))));
        // Sent by the task producer right after the task records (not through the workflows-out channel the sweep
        // uses): the same key and CloudEvents headers as every other record of the topic.
        ConsumerRecord<String, String> started = null;
        for (ConsumerRecord<String, String> record : lifecycleRecords(workflowId, "lifecycle-submit")) {
            if (header(record, "ce_id").equals(workflowId + ":started")) {
                started = record;
            }
        }
        assertThat(started).as("the started record of " + workflowId).isNotNull();
        assertThat(started.key()).isEqualTo(workflowId);
        assertThat(header(started, "ce_type")).isEqualTo("dev.cascade.enrichment.workflow.started");
        assertThat(header(started, "ce_source")).isEqualTo("urn:cascade:gateway");
        assertThat(header(started, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(started, "content-type")).isEqualTo("application/json");
        assertThat(header(started, "org_id")).isEqualTo(tenant.orgId());
        assertThat(header(started, "ce_time")).endsWith("Z");
        assertThat(started.value())
                .contains("\"event\":\"started\"")
                .contains("\"workflow_id\":\"" + workflowId + "\"")
                .contains("\"total_prospects\":2");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM workflows WHERE id = ? AND started_published_at IS NOT NULL",
                                workflowId)
                        == 1);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The workflow's records on `enrichment.workflows`, read by a consumer group of its own, once there is one. */
    private static List<ConsumerRecord<String, String>> lifecycleRecords(String workflowId, String group) {
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(group, "earliest")) {
            consumer.subscribe(List.of("enrichment.workflows"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (workflowId.equals(record.key())) {
                        seen.add(record);
                    }
                }
                return !seen.isEmpty();
            });
        }
        return seen;
    }
}
