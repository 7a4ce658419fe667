package dev.cascade.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;

/** Result records are delivered at least once; the aggregator must count each task exactly once. */
@QuarkusTest
class DuplicateResultTest {

    @Test
    void aDuplicatedResultRecordDoesNotDoubleCount() throws Exception {
        Tenant tenant = Gateway.newTenant("dupes-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        // A workflow of two tasks whose dispatch is confirmed, so only the records below can settle it.
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " dispatched_at) VALUES (?, ?, ?, 'partial', 'pending', 2, now())",
                    workflowId,
                    org,
                    list);
            for (UUID task : List.of(first, second)) {
                Db.exec(
                        conn,
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact)"
                                + " VALUES (?, ?, ?, ?, 0, 'pending', '{}'::jsonb)",
                        task,
                        workflowId,
                        org,
                        list);
            }
        }
        String firstResult = result(first, workflowId, org, "a@acme.com");
        String hostile = result(first, workflowId, org, "evil@acme.com")
                .replace("\"charged_credits\":1.0", "\"charged_credits\":1e300");
        String secondResult = result(second, workflowId, org, "b@acme.com");
        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            // A foreign record with an absurd charge, and one that is not JSON, are skipped without holding up
            // the records around them.
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, hostile))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, "not json at all"))
                    .get();
            // The first result three times, in one batch and later again.
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, firstResult))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, firstResult))
                    .get();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "running".equals(tenant.workflow(workflowId).getString("workflow.status")));
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, firstResult))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, secondResult))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, secondResult))
                    .get();
        }
        var status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(20));
        // Give any straggling duplicate time to (not) count.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> true);
        status = tenant.workflow(workflowId);
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(2);
        assertThat(status.getInt("workflow.failed_prospects")).isZero();
        assertThat(status.getInt("workflow.emails_found")).isEqualTo(2);
        assertThat(status.getDouble("workflow.credits_charged")).isEqualTo(2.0);
        assertThat(Gateway.count("SELECT count(*) FROM webhook_events WHERE workflow_id = ?", workflowId))
                .isZero();
    }

    @Test
    void oneFailedTaskMakesTheWorkflowCompletedWithErrorsAndRecordsOneWebhook() throws Exception {
        Tenant tenant = Gateway.newTenant("mixed-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        UUID ok = UUID.randomUUID();
        UUID bad = UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " webhook_url, dispatched_at) VALUES (?, ?, ?, 'partial', 'pending', 2,"
                            + " 'http://127.0.0.1:1/unreachable', now())",
                    workflowId,
                    org,
                    list);
            for (UUID task : List.of(ok, bad)) {
                Db.exec(
                        conn,
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact)"
                                + " VALUES (?, ?, ?, ?, 0, 'pending', '{}'::jsonb)",
                        task,
                        workflowId,
                        org,
                        list);
            }
        }
        String failed = "{\"task_id\":\"" + bad + "\",\"status\":\"failed\",\"error\":\"all providers failed\","
                + "\"workflow_id\":\"" + workflowId + "\",\"org_id\":\"" + org
                + "\",\"enrichment_type\":\"partial\",\"charged_credits\":0,\"trace\":[]}";
        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            producer.send(new ProducerRecord<>(
                            "enrichment.results", workflowId, result(ok, workflowId, org, "c@acme.com")))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, failed))
                    .get();
            producer.send(new ProducerRecord<>("enrichment.results", workflowId, failed))
                    .get();
        }
        var status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(20));
        assertThat(status.getString("workflow.status")).isEqualTo("completed_with_errors");
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(1);
        assertThat(status.getInt("workflow.failed_prospects")).isEqualTo(1);
        assertThat(Gateway.count("SELECT count(*) FROM webhook_events WHERE workflow_id = ?", workflowId))
                .isEqualTo(1);
    }

    @Test
    void aResultNamingAnotherWorkflowThanItsTasksSettlesNothing() throws Exception {
        Tenant tenant = Gateway.newTenant("named-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        String own = "public_bulk_" + UUID.randomUUID();
        String other = "public_bulk_" + UUID.randomUUID();
        UUID task = UUID.randomUUID();
        UUID otherTask = UUID.randomUUID();
        try (Connection conn = Db.connect()) {
            UUID list = Db.defaultList(conn, org);
            for (String workflow : List.of(own, other)) {
                Db.exec(
                        conn,
                        "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                                + " dispatched_at) VALUES (?, ?, ?, 'partial', 'pending', 1, now())",
                        workflow,
                        org,
                        list);
                Db.exec(
                        conn,
                        "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact)"
                                + " VALUES (?, ?, ?, ?, 0, 'pending', '{}'::jsonb)",
                        workflow.equals(own) ? task : otherTask,
                        workflow,
                        org,
                        list);
            }
        }
        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            // The task's result, but naming the other workflow: the aggregator locks the workflows records name, so
            // this one must not settle the task (whose own workflow it did not lock) nor touch the other workflow.
            producer.send(new ProducerRecord<>("enrichment.results", other, result(task, other, org, "wrong@acme.com")))
                    .get();
            producer.send(new ProducerRecord<>(
                            "enrichment.results", other, result(otherTask, other, org, "other@acme.com")))
                    .get();
        }
        assertThat(tenant.awaitTerminal(other, Duration.ofSeconds(20)).getInt("workflow.completed_prospects"))
                .isEqualTo(1);
        assertThat(Gateway.count("SELECT count(*) FROM tasks WHERE id = ? AND status = 'pending'", task))
                .isEqualTo(1);
        assertThat(tenant.workflow(own).getString("workflow.status")).isEqualTo("pending");

        try (KafkaProducer<String, String> producer = KafkaClients.producer()) {
            producer.send(new ProducerRecord<>("enrichment.results", own, result(task, own, org, "a@acme.com")))
                    .get();
        }
        var status = tenant.awaitTerminal(own, Duration.ofSeconds(20));
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.emails_found")).isEqualTo(1);
        assertThat(tenant.workflow(other).getInt("workflow.completed_prospects"))
                .isEqualTo(1);
    }

    private static String result(UUID task, String workflowId, UUID org, String email) {
        return "{\"task_id\":\"" + task + "\",\"status\":\"completed\",\"primary_email\":\"" + email
                + "\",\"primary_email_status\":\"reliable\",\"other_emails\":[],\"personal_phone_numbers\":[],"
                + "\"phones\":[],\"workflow_id\":\"" + workflowId + "\",\"org_id\":\"" + org
                + "\",\"enrichment_type\":\"partial\",\"charged_credits\":1.0,\"trace\":[]}";
    }
}
