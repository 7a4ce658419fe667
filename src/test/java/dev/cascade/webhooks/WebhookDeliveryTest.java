package dev.cascade.webhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedReceiver;
import dev.cascade.testing.ScriptedReceiver.Answer;
import dev.cascade.testing.ScriptedReceiver.Received;

/**
 * Delivery of webhooks end to end on the (scaled) schedule of §6.4: the slow tier after the fast one, `410` stopping
 * an event, redirects never followed, `Retry-After` honoured, exhaustion, redelivery (§4.8), per-contact events and the
 * payload's completeness (§6.2), each checked at a real receiver and in the delivery log (§2.3).
 */
@QuarkusTest
@TestProfile(ScaledScheduleProfile.class)
class WebhookDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static ScriptedReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new ScriptedReceiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static String submit(Tenant tenant, String path, Map<String, Object> extra, int contacts) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("webhook_url", receiver.url(path));
        List<Map<String, Object>> people = new java.util.ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            people.add(Gateway.person(900 + i));
        }
        body.putIfAbsent("contacts", people);
        return tenant.submit(body);
    }

    private static JsonPath deliveries(Tenant tenant, String workflowId) {
        return given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Waits until the log holds at least {@code attempts} attempts, the last of those with {@code status}. */
    private static JsonPath awaitLog(Tenant tenant, String workflowId, int attempts, String status) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<String> statuses = deliveries(tenant, workflowId).getList("deliveries.status");
            return statuses.size() >= attempts && status.equals(statuses.get(attempts - 1));
        });
        return deliveries(tenant, workflowId);
    }

    @Test
    void aReceiverDownForTheWholeFastTierGetsTheEventOnceInTheSlowTier() {
        Tenant tenant = Gateway.newTenant("slow-tier-" + UUID.randomUUID());
        int fast = ScaledScheduleProfile.FAST_TIER_ATTEMPTS;
        receiver.script("/slow-tier", n -> Answer.of(n <= fast ? 503 : 200));
        String workflowId = submit(tenant, "/slow-tier", Map.of(), 1);

        JsonPath log = awaitLog(tenant, workflowId, fast + 1, "succeeded");

        List<Received> got = receiver.received("/slow-tier");
        assertThat(got).hasSize(fast + 1);
        // One event, one webhook-id on every attempt, delivered (2xx) exactly once.
        assertThat(got.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(1);
        assertThat(got.stream().filter(r -> r.status() == 200)).hasSize(1);
        assertThat(got.stream().map(Received::body).distinct()).hasSize(1);
        // The slow tier's first step (3 s in this profile) came after the fast tier's last failure.
        assertThat(got.get(fast).atMillis() - got.get(fast - 1).atMillis()).isGreaterThanOrEqualTo(2900);
        // Every attempt is in the log, numbered, the failed ones with the error and when the next one was due.
        assertThat(log.getList("deliveries.attempt", Integer.class)).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(log.getList("deliveries.webhook_id").stream().distinct()).hasSize(1);
        assertThat(log.getList("deliveries.response_status_code", Integer.class))
                .containsExactly(503, 503, 503, 503, 503, 503, 200);
        for (int i = 0; i < fast; i++) {
            assertThat(log.getString("deliveries[" + i + "].error")).isEqualTo("HTTP 503");
            assertThat(log.getString("deliveries[" + i + "].next_attempt_at")).isNotNull();
        }
        assertThat(Instant.parse(log.getString("deliveries[5].next_attempt_at")))
                .isAfterOrEqualTo(Instant.parse(log.getString("deliveries[5].attempted_at"))
                        .plusSeconds(2));
        assertThat(log.getString("deliveries[6].next_attempt_at")).isNull();
        assertThat(Gateway.count(
                        "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND status = 'succeeded'",
                        workflowId))
                .isEqualTo(1);
    }

    @Test
    void afterTheLastAttemptTheEventIsExhaustedAndNothingMoreIsSent() {
        Tenant tenant = Gateway.newTenant("exhausted-" + UUID.randomUUID());
        receiver.script("/always-500", n -> Answer.of(500));
        String workflowId = submit(tenant, "/always-500", Map.of(), 1);

        awaitLog(tenant, workflowId, ScaledScheduleProfile.ALL_ATTEMPTS, "failed");
        await().atMost(WAIT)
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND status = 'exhausted'",
                                workflowId)
                        == 1);
        assertThat(receiver.received("/always-500")).hasSize(ScaledScheduleProfile.ALL_ATTEMPTS);
        String metrics =
                given().get(Gateway.management("/q/metrics")).then().extract().asString();
        assertThat(metrics).contains("cascade_webhooks_exhausted_total{event=\"enrichment.completed\"}");
        assertThat(metrics).contains("cascade_webhooks_backlog{state=\"due\"}");
    }

    @Test
    void goneStopsTheEventAndRedirectsAreNeverFollowed() {
        Tenant tenant = Gateway.newTenant("gone-" + UUID.randomUUID());
        receiver.script("/gone", n -> Answer.of(410));
        String gone = submit(tenant, "/gone", Map.of(), 1);
        awaitLog(tenant, gone, 1, "failed");
        await().atMost(WAIT)
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND status = 'gone'", gone)
                        == 1);
        assertThat(receiver.received("/gone")).hasSize(1);

        receiver.script(
                "/moved",
                n -> n == 1 ? new Answer(302, Map.of("Location", receiver.url("/elsewhere"))) : Answer.of(204));
        String moved = submit(tenant, "/moved", Map.of(), 1);
        JsonPath log = awaitLog(tenant, moved, 2, "succeeded");
        assertThat(log.getInt("deliveries[0].response_status_code")).isEqualTo(302);
        assertThat(log.getString("deliveries[0].error")).isEqualTo("HTTP 302");
        assertThat(receiver.received("/elsewhere")).isEmpty();
    }

    @Test
    void theEgressPolicyRefusesAtSubmitAndChecksAgainAtEveryAttempt() {
        Tenant tenant = Gateway.newTenant("egress-" + UUID.randomUUID());
        long before = Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId());
        for (String url : List.of(
                "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::ffff:10.0.0.1]/hook")) {
            given().auth()
                    .oauth2(tenant.key())
                    .contentType("application/json")
                    .body(Map.of("webhook_url", url, "contacts", List.of(Gateway.person(1))))
                    .post("/api/v1/public/enrich/bulk")
                    .then()
                    .statusCode(422)
                    .body("detail[0].loc", org.hamcrest.Matchers.contains("body", "webhook_url"));
        }
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId()))
                .isEqualTo(before);

        // A host that does not resolve is accepted at submit and checked again at each attempt, which is logged.
        String workflowId = tenant.submit(
                Map.of("webhook_url", "http://no-such-host.invalid/hook", "contacts", List.of(Gateway.person(1))));
        JsonPath log = awaitLog(tenant, workflowId, 1, "failed");
        assertThat(log.getString("deliveries[0].error")).isEqualTo("unknown host");
        assertThat(log.getString("deliveries[0].next_attempt_at")).isNotNull();
    }

    @Test
    void retryAfterIsHonouredWhenLongerThanTheNextDelay() {
        Tenant tenant = Gateway.newTenant("retry-after-" + UUID.randomUUID());
        receiver.script("/busy", n -> n == 1 ? new Answer(429, Map.of("Retry-After", "2")) : Answer.of(200));
        String workflowId = submit(tenant, "/busy", Map.of(), 1);

        awaitLog(tenant, workflowId, 2, "succeeded");
        List<Received> got = receiver.received("/busy");
        // The schedule's next delay is 100 ms; the receiver asked for 2 s.
        assertThat(got.get(1).atMillis() - got.get(0).atMillis()).isGreaterThanOrEqualTo(1900);
    }

    @Test
    void redeliverySendsTheSameEventAgainAsNewAttempts() {
        Tenant tenant = Gateway.newTenant("redeliver-" + UUID.randomUUID());
        receiver.script("/redeliver", n -> Answer.of(200));
        String workflowId = submit(tenant, "/redeliver", Map.of(), 1);
        awaitLog(tenant, workflowId, 1, "succeeded");

        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(202)
                .body("workflow_id", org.hamcrest.Matchers.is(workflowId))
                .body("status", org.hamcrest.Matchers.is("pending"));

        JsonPath log = awaitLog(tenant, workflowId, 2, "succeeded");
        assertThat(log.getList("deliveries.attempt", Integer.class)).containsExactly(1, 2);
        List<Received> got = receiver.received("/redeliver");
        assertThat(got).hasSize(2);
        assertThat(got.get(0).header("webhook-id")).isEqualTo(got.get(1).header("webhook-id"));
        assertThat(got.get(0).body()).isEqualTo(got.get(1).body());

        // Unknown, other organisation's, missing: same answers as the delivery log.
        Tenant other = Gateway.newTenant("redeliver-other-" + UUID.randomUUID());
        given().auth()
                .oauth2(other.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(404)
                .body("detail", org.hamcrest.Matchers.is("Workflow not found"));
        given().auth()
                .oauth2(tenant.key())
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(400);
        String withoutHook = tenant.submit(Map.of("contacts", List.of(Gateway.person(1))));
        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", withoutHook)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(409);
    }

    @Test
    void aRedeliveredEventRunsThroughTheWholeScheduleAgain() {
        Tenant tenant = Gateway.newTenant("redeliver-again-" + UUID.randomUUID());
        int all = ScaledScheduleProfile.ALL_ATTEMPTS;
        receiver.script("/down-twice", n -> Answer.of(500));
        String workflowId = submit(tenant, "/down-twice", Map.of(), 1);
        awaitLog(tenant, workflowId, all, "failed");
        await().atMost(WAIT)
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND status = 'exhausted'",
                                workflowId)
                        == 1);

        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(202);
        // A second request while the redelivery runs is refused.
        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(409);

        // Eight more attempts (the whole schedule, numbered on), then exhausted again.
        awaitLog(tenant, workflowId, 2 * all, "failed");
        await().atMost(WAIT)
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND status = 'exhausted'",
                                workflowId)
                        == 1);
        JsonPath log = deliveries(tenant, workflowId);
        assertThat(log.getList("deliveries.attempt", Integer.class))
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 2 * all)
                        .boxed()
                        .toList());
        List<Received> got = receiver.received("/down-twice");
        assertThat(got).hasSize(2 * all);
        // The redelivered run keeps the scaled schedule's shape: its second attempt follows its first by ~100 ms,
        // its seventh (the slow tier) its sixth by 3 s.
        assertThat(got.get(all + 6).atMillis() - got.get(all + 5).atMillis()).isGreaterThanOrEqualTo(2900);
    }

    @Test
    void aDeliveryStillInProgressIsNotRedelivered() {
        Tenant tenant = Gateway.newTenant("redeliver-busy-" + UUID.randomUUID());
        receiver.script("/still-failing", n -> Answer.of(503));
        String workflowId = submit(tenant, "/still-failing", Map.of(), 1);
        awaitLog(tenant, workflowId, 1, "failed");
        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .post("/api/v1/public/webhooks/redeliver")
                .then()
                .statusCode(409)
                .body("detail", org.hamcrest.Matchers.is("Webhook delivery still in progress"));
    }

    @Test
    void perContactWebhooksSendOneEventPerSettledTaskAndThePayloadIsComplete() {
        Tenant tenant = Gateway.newTenant("per-contact-" + UUID.randomUUID());
        receiver.script("/per-contact", n -> Answer.of(200));
        JsonPath submitted = tenant.submitForBody(Map.of(
                "webhook_url",
                receiver.url("/per-contact"),
                "per_contact_webhooks",
                true,
                "custom",
                Map.of("campaign", "q4"),
                "contacts",
                List.of(Gateway.person(1), Gateway.person(2), Gateway.person(3))));
        String workflowId = submitted.getString("workflow_id");

        await().atMost(WAIT).until(() -> receiver.received("/per-contact").size() == 4);
        List<Received> got = receiver.received("/per-contact");
        List<JsonPath> contactEvents = got.stream()
                .map(r -> JsonPath.from(r.body()))
                .filter(j -> "enrichment.contact_completed".equals(j.getString("event")))
                .toList();
        assertThat(contactEvents).hasSize(3);
        assertThat(contactEvents.stream().map(j -> j.getString("task_id")))
                .containsExactlyInAnyOrderElementsOf(submitted.getList("task_ids"));
        assertThat(contactEvents).allSatisfy(j -> {
            assertThat(j.getString("workflow_id")).isEqualTo(workflowId);
            assertThat(j.getString("result.task_id")).isEqualTo(j.getString("task_id"));
            assertThat(j.getString("result.status")).isEqualTo("completed");
            assertThat(j.getMap("result.custom")).isEqualTo(Map.of("campaign", "q4"));
        });
        assertThat(got.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(4);

        JsonPath completed = got.stream()
                .map(r -> JsonPath.from(r.body()))
                .filter(j -> "enrichment.completed".equals(j.getString("event")))
                .findFirst()
                .orElseThrow();
        // §6.2 with results_limit 2 (this profile): two results, one left out, and where to read them all.
        assertThat(completed.getList("results")).hasSize(2);
        assertThat(completed.getInt("results_limit")).isEqualTo(2);
        assertThat(completed.getInt("results_truncated")).isEqualTo(1);
        assertThat(completed.getString("results_endpoint"))
                .isEqualTo("/api/v1/public/enrich/status?workflow_id=" + workflowId + "&include_results=true");
        assertThat(completed.getMap("custom")).isEqualTo(Map.of("campaign", "q4"));
        assertThat(completed.getInt("summary.total")).isEqualTo(3);

        JsonPath log = deliveries(tenant, workflowId);
        assertThat(log.getList("deliveries.event"))
                .containsOnly("enrichment.contact_completed", "enrichment.completed")
                .hasSize(4);
        assertThat(log.getList("deliveries.task_id").stream().filter(java.util.Objects::nonNull))
                .hasSize(3);
    }

    @Test
    void aProspectingWorkflowsPayloadCarriesItsProspectRows() {
        Tenant tenant = Gateway.newTenant("prospects-hook-" + UUID.randomUUID());
        receiver.script("/prospects", n -> Answer.of(200));
        String workflowId = submit(
                tenant,
                "/prospects",
                Map.of(
                        "enrichment_type",
                        "prospecting_only",
                        "contacts",
                        List.of(Map.of("company_domain", "rows-" + UUID.randomUUID() + ".com"))),
                0);
        await().atMost(WAIT).until(() -> receiver.received("/prospects").size() == 1);
        JsonPath body = JsonPath.from(receiver.received("/prospects").get(0).body());
        assertThat(body.getString("workflow_id")).isEqualTo(workflowId);
        assertThat(body.getList("results")).isNotEmpty();
        assertThat(body.getString("results[0].prospect.full_name")).isNotBlank();
    }
}
