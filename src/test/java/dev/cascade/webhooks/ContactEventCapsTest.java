package dev.cascade.webhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.BlackholeReceiver;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedReceiver;

/**
 * The caps on per-contact events: beyond its organisation's pending cap or hourly limit a per-contact event is
 * recorded `dropped` with the reason, never sent, and counted; the workflow's one completion webhook never is.
 */
@QuarkusTest
@TestProfile(ContactEventCapsProfile.class)
class ContactEventCapsTest {
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

    private static String submit(Tenant tenant, String url, int contacts) {
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            people.add(Gateway.person(i));
        }
        String workflowId = tenant.submit(Map.of(
                "enrichment_type", "none", "webhook_url", url, "per_contact_webhooks", true, "contacts", people));
        tenant.awaitTerminal(workflowId, WAIT);
        return workflowId;
    }

    private static long events(String workflowId, String eventType, String status, String reason) {
        return Gateway.count(
                "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND event_type = ? AND status = ?"
                        + " AND dropped_reason IS NOT DISTINCT FROM ?",
                workflowId,
                eventType,
                status,
                reason);
    }

    private static double dropped(String reason) {
        String metrics = given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = Pattern.compile("cascade_webhooks_dropped_total\\{[^}]*reason=\"" + reason + "\"[^}]*} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void perContactEventsBeyondThePendingCapAreDroppedButTheCompletionWebhookIsNot() {
        int cap = ContactEventCapsProfile.PENDING_PER_ORGANIZATION;
        double before = dropped("pending_cap");
        try (BlackholeReceiver blackhole = new BlackholeReceiver()) {
            Tenant tenant = Gateway.newTenant("pending-cap-" + UUID.randomUUID(), 0);
            String workflowId = submit(tenant, blackhole.url("/hook"), 12);

            await().atMost(WAIT)
                    .until(() -> Gateway.count("SELECT count(*) FROM webhook_events WHERE workflow_id = ?", workflowId)
                            == 13);
            String contact = "enrichment.contact_completed";
            long kept = Gateway.count(
                    "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND event_type = ?"
                            + " AND dropped_reason IS NULL",
                    workflowId,
                    contact);
            assertThat(kept).isEqualTo(cap);
            assertThat(events(workflowId, contact, "dropped", "pending_cap")).isEqualTo(12 - cap);
            // Dropped events are never claimed: no attempt of them in the log.
            assertThat(Gateway.count(
                            "SELECT count(*) FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id"
                                    + " WHERE e.workflow_id = ? AND e.status = 'dropped'",
                            workflowId))
                    .isZero();
            // The organisation is at its cap, and its completion webhook is recorded all the same, once.
            assertThat(Gateway.count(
                            "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND event_type = ?"
                                    + " AND status IN ('pending', 'in_flight')",
                            workflowId,
                            "enrichment.completed"))
                    .isEqualTo(1);
            assertThat(dropped("pending_cap") - before).isEqualTo(12 - cap);
        }
    }

    @Test
    void perContactEventsBeyondTheHourlyLimitAreDroppedAndTheRestDelivered() {
        int limit = ContactEventCapsProfile.CONTACT_EVENTS_PER_HOUR;
        double before = dropped("hourly_limit");
        Tenant tenant = Gateway.newTenant("hourly-" + UUID.randomUUID(), 0);
        String path = "/hourly-" + UUID.randomUUID();
        // Three workflows of four contacts, each delivered before the next (so the pending cap of five never binds):
        // the first two use up the hourly limit of eight, the third's contact events are dropped.
        List<String> workflows = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            workflows.add(submit(tenant, receiver.url(path), 4));
            int sent = Math.min(4 * i, limit) + i;
            await().atMost(WAIT).until(() -> receiver.received(path).size() >= sent);
        }
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> receiver.received(path).size() == limit + 3);

        List<JsonPath> bodies = receiver.received(path).stream()
                .map(r -> JsonPath.from(r.body()))
                .toList();
        assertThat(bodies.stream().filter(b -> "enrichment.contact_completed".equals(b.getString("event"))))
                .hasSize(limit);
        assertThat(bodies.stream()
                        .filter(b -> "enrichment.completed".equals(b.getString("event")))
                        .map(b -> b.getString("workflow_id")))
                .containsExactlyInAnyOrderElementsOf(workflows);
        assertThat(events(workflows.get(2), "enrichment.contact_completed", "dropped", "hourly_limit"))
                .isEqualTo(4);
        assertThat(dropped("hourly_limit") - before).isEqualTo(4);
    }
}
