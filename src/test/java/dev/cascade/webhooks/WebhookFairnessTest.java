package dev.cascade.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

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
import dev.cascade.testing.ScriptedReceiver.Received;

/**
 * Fairness between organisations: one tenant whose receiver never answers, flooding per-contact events, holds at most
 * its in-flight cap of the sender's slots, so another tenant's webhook goes out within about one attempt timeout.
 */
@QuarkusTest
@TestProfile(FairnessProfile.class)
class WebhookFairnessTest {
    /** Room for the claim, the request and the receiver; far below the flood's many rounds of timeouts. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    /** Shorter than an attempt: connections accepted within it ran at the same time. */
    private static final Duration WITHIN_ONE_ATTEMPT = FairnessProfile.ATTEMPT_TIMEOUT.minusMillis(500);

    private static ScriptedReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new ScriptedReceiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static List<Map<String, Object>> contacts(int n) {
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            people.add(Gateway.person(i));
        }
        return people;
    }

    /** Submits a `none` workflow of {@code n} contacts with per-contact webhooks to {@code url}. */
    private static String flood(Tenant tenant, String url, int n) {
        return tenant.submit(Map.of(
                "enrichment_type", "none", "webhook_url", url, "per_contact_webhooks", true, "contacts", contacts(n)));
    }

    private static long openEvents(Tenant tenant) {
        return Gateway.count(
                "SELECT count(*) FROM webhook_events WHERE org_id = ?::uuid AND status IN ('pending', 'in_flight')",
                tenant.orgId());
    }

    @Test
    void aBlackholedTenantFloodingPerContactEventsDoesNotDelayAnotherTenantsCompletionWebhook() {
        try (BlackholeReceiver blackhole = new BlackholeReceiver()) {
            Tenant flooder = Gateway.newTenant("flooder-" + UUID.randomUUID(), 0);
            List<String> floods = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                floods.add(flood(flooder, blackhole.url("/hook"), 250));
            }
            // The flood is in the outbox and already holding the blackhole before the other tenant's event exists.
            for (String workflowId : floods) {
                flooder.awaitTerminal(workflowId, Duration.ofSeconds(60));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> blackhole.open() >= 1);
            assertThat(openEvents(flooder)).isGreaterThan(700);

            Tenant other = Gateway.newTenant("patient-" + UUID.randomUUID());
            String workflowId = other.submit(Map.of(
                    "enrichment_type",
                    "none",
                    "webhook_url",
                    receiver.url("/patient"),
                    "contacts",
                    List.of(Gateway.person(1))));
            other.awaitTerminal(workflowId, Duration.ofSeconds(30));

            await().atMost(FairnessProfile.ATTEMPT_TIMEOUT.plus(SLACK))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !receiver.received("/patient").isEmpty());
            Received delivered = receiver.received("/patient").get(0);
            assertThat(JsonPath.from(delivered.body()).getString("event")).isEqualTo("enrichment.completed");
            assertThat(JsonPath.from(delivered.body()).getString("workflow_id")).isEqualTo(workflowId);
            // The flood kept to its cap throughout.
            assertThat(blackhole.mostAcceptedWithin(WITHIN_ONE_ATTEMPT))
                    .isLessThanOrEqualTo(FairnessProfile.IN_FLIGHT_PER_ORGANIZATION);
        }
    }

    @Test
    void anOrganisationNeverHasMoreAttemptsInFlightThanItsCap() {
        int cap = FairnessProfile.IN_FLIGHT_PER_ORGANIZATION;
        try (BlackholeReceiver blackhole = new BlackholeReceiver()) {
            Tenant tenant = Gateway.newTenant("capped-" + UUID.randomUUID(), 0);
            String workflowId = flood(tenant, blackhole.url("/hook"), 30);
            tenant.awaitTerminal(workflowId, Duration.ofSeconds(60));
            AtomicLong mostClaimed = new AtomicLong();
            // Three rounds of the cap: every claim after the first had to count the attempts still running.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        mostClaimed.accumulateAndGet(
                                Gateway.count(
                                        "SELECT count(*) FROM webhook_events WHERE org_id = ?::uuid AND status = 'in_flight'",
                                        tenant.orgId()),
                                Math::max);
                        return blackhole.accepted() >= 3 * cap;
                    });
            assertThat(blackhole.mostAcceptedWithin(WITHIN_ONE_ATTEMPT)).isEqualTo(cap);
            assertThat(mostClaimed.get()).isLessThanOrEqualTo(cap);
        }
    }
}
