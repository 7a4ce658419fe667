package dev.cascade.webhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.CountingReceiver;
import dev.cascade.testing.CountingReceiver.Hit;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;
import dev.cascade.testing.KafkaResource;
import dev.cascade.testing.PostgresResource;

/**
 * Webhook delivery across gateway processes (issue 4): several replicas sharing one database make every attempt
 * exactly once, and an attempt due while the only gateway is down is made once, on time, by the next one.
 *
 * <p>Runs the packaged jar as real processes (see {@link GatewayProcess}) against one Kafka broker and one fresh
 * database in this JVM, and a {@link CountingReceiver} that fails the first two attempts of every event. Each
 * gateway sends a {@code User-Agent} naming it, so the receiver can tell which replica made which attempt.
 */
class MultiGatewayWebhookIT {
    /** The fast tier scaled down; the full list is passed so the test never depends on the default. */
    private static final String SCHEDULE = "0s,1s,1s,2s,4s,4s";

    /** Attempt 3 is due this long after attempt 2, leaving room to stop the gateway in between. */
    private static final Duration RESTART_GAP = Duration.ofSeconds(10);

    private static final String RESTART_SCHEDULE = "0s,1s," + RESTART_GAP.toSeconds() + "s,2s,4s,4s";
    private static final int FAILED_ATTEMPTS = 2;
    private static GatewayCluster cluster;
    private static CountingReceiver receiver;
    private static String apiKey;

    @BeforeAll
    static void startInfrastructure() {
        cluster = GatewayCluster.start();
        apiKey = cluster.apiKey();
        receiver = CountingReceiver.start(FAILED_ATTEMPTS);
    }

    @AfterEach
    void stopGateways() {
        cluster.stopGateways();
    }

    @AfterAll
    static void stopInfrastructure() {
        try {
            if (receiver != null) {
                receiver.close();
            }
        } finally {
            if (cluster != null) {
                cluster.stop();
            }
        }
    }

    @Test
    void twoGatewaysOnOneDatabaseMakeEveryAttemptExactlyOnce() {
        GatewayProcess a = startGateway("two-gateways-a", SCHEDULE);
        GatewayProcess b = startGateway("two-gateways-b", SCHEDULE);
        List<GatewayProcess> both = List.of(a, b);
        // Both replicas consume tasks and results, so workflows complete (and first attempts start) on both.
        awaitConsumersOnEveryGateway(both.size(), "cascade-waterfall", "cascade-aggregator");
        String prefix = "/two/" + UUID.randomUUID() + "/";
        int workflows = 20;

        // Submitted through both gateways in turn; each workflow's log is read later through the other one.
        Map<String, GatewayProcess> readVia = new HashMap<>();
        for (int i = 0; i < workflows; i++) {
            String workflowId = submit(both.get(i % 2), receiver.url(prefix + i), 3);
            readVia.put(workflowId, both.get((i + 1) % 2));
        }

        await("every workflow's webhook delivered")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> successes(receiver.under(prefix)) >= workflows);
        // A duplicate attempt (two replicas claiming one due event) would arrive within moments: give it the
        // time to show before judging.
        await("no attempt made twice")
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertEveryEventAttemptedExactly(receiver.under(prefix), workflows));

        Map<String, List<Hit>> events = receiver.under(prefix);
        Map<String, String> eventOfWorkflow = new HashMap<>();
        events.forEach((id, hits) -> eventOfWorkflow.put(workflowOf(hits.get(0)), id));
        assertThat(eventOfWorkflow.keySet())
                .as("one event per submitted workflow")
                .containsExactlyInAnyOrderElementsOf(readVia.keySet());

        // The receiver has answered the last attempt; its outcome reaches the log a moment later.
        for (Map.Entry<String, GatewayProcess> entry : readVia.entrySet()) {
            String workflowId = entry.getKey();
            await("delivery log of " + workflowId)
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        JsonPath log = deliveries(entry.getValue(), workflowId);
                        assertThat(log.getList("deliveries.attempt", Integer.class))
                                .as("attempts of %s", workflowId)
                                .containsExactly(1, 2, 3);
                        assertThat(log.getList("deliveries.status", String.class))
                                .as("attempt statuses of %s", workflowId)
                                .containsExactly("failed", "failed", "succeeded");
                        assertThat(log.getList("deliveries.response_status_code", Integer.class))
                                .containsExactly(503, 503, 200);
                        assertThat(log.getList("deliveries.event", String.class))
                                .containsOnly("enrichment.completed");
                        assertThat(log.getList("deliveries.webhook_id", String.class))
                                .containsOnly(eventOfWorkflow.get(workflowId));
                    });
        }

        // Which replica made each attempt, from the User-Agent each one sends.
        Map<String, Long> attemptsBy = events.values().stream()
                .flatMap(List::stream)
                .collect(Collectors.groupingBy(Hit::userAgent, TreeMap::new, Collectors.counting()));
        long shared = events.values().stream()
                .filter(hits -> hits.stream().map(Hit::userAgent).distinct().count() > 1)
                .count();
        System.out.printf(
                "[MultiGatewayWebhookIT] attempts per gateway (User-Agent): %s; per gateway log: %s=%d, %s=%d;"
                        + " events with attempts from both gateways: %d of %d%n",
                attemptsBy,
                a.name(),
                loggedAttempts(a, events.keySet()),
                b.name(),
                loggedAttempts(b, events.keySet()),
                shared,
                events.size());
        assertThat(attemptsBy.keySet()).containsExactlyInAnyOrder(userAgent(a.name()), userAgent(b.name()));
        assertThat(attemptsBy.values()).allSatisfy(count -> assertThat(count).isPositive());
    }

    @Test
    void anAttemptDueWhileTheGatewayIsDownIsMadeOnceAfterTheRestart() throws Exception {
        GatewayProcess first = startGateway("restart-before", RESTART_SCHEDULE);
        String path = "/restart/" + UUID.randomUUID();
        String workflowId = submit(first, receiver.url(path), 2);

        JsonPath beforeStop = await("attempt 2 logged as failed")
                .atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> deliveries(first, workflowId),
                        log -> log.getList("deliveries").size() == 2
                                && "failed".equals(log.getString("deliveries[1].status")));
        assertThat(beforeStop.getString("deliveries[1].next_attempt_at")).isNotNull();
        Instant due = nextAttemptAt(workflowId, 2);
        String webhookId = beforeStop.getString("deliveries[0].webhook_id");
        assertThat(receiver.hits(webhookId)).hasSize(2);

        first.stop(Duration.ofSeconds(30));
        Instant stopped = Instant.now();
        assertThat(stopped)
                .as("the gateway has stopped before attempt 3 is due (lengthen RESTART_GAP if this fails)")
                .isBefore(due);
        assertThat(receiver.hits(webhookId)).as("attempts before the restart").hasSize(2);

        GatewayProcess second = startGateway("restart-after", RESTART_SCHEDULE);
        Instant ready = Instant.now();
        System.out.printf(
                "[MultiGatewayWebhookIT] stopped %d ms before attempt 3 was due; the new gateway ready %d ms %s it%n",
                Duration.between(stopped, due).toMillis(),
                Math.abs(Duration.between(ready, due).toMillis()),
                ready.isBefore(due) ? "before" : "after");

        await("attempt 3 after the restart")
                .atMost(RESTART_GAP.plusSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.hits(webhookId).size() >= 3);
        await("attempt 3 made once")
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> receiver.hits(webhookId).size() == 3);

        List<Hit> hits = receiver.hits(webhookId);
        assertThat(hits).extracting(Hit::answered).containsExactly(503, 503, 200);
        assertThat(hits)
                .extracting(Hit::userAgent)
                .containsExactly(userAgent(first.name()), userAgent(first.name()), userAgent(second.name()));
        Hit third = hits.get(2);
        assertThat(third.receivedAt()).as("attempt 3 not before its due time").isAfterOrEqualTo(due);
        Instant reachable = ready.isAfter(due) ? ready : due;
        assertThat(third.receivedAt())
                .as("attempt 3 made promptly once due and a gateway runs")
                .isBefore(reachable.plusSeconds(3));

        JsonPath log = await("attempt 3 logged")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> deliveries(second, workflowId),
                        l -> l.getList("deliveries").size() == 3
                                && !"in_flight".equals(l.getString("deliveries[2].status")));
        assertThat(log.getList("deliveries.attempt", Integer.class)).containsExactly(1, 2, 3);
        assertThat(log.getList("deliveries.status", String.class)).containsExactly("failed", "failed", "succeeded");
        assertThat(log.getList("deliveries.response_status_code", Integer.class))
                .containsExactly(503, 503, 200);
        assertThat(log.getList("deliveries.webhook_id", String.class)).containsOnly(webhookId);
        assertThat(log.getString("deliveries[1].next_attempt_at"))
                .as("attempt 3 logged at or after the due time attempt 2 recorded")
                .isLessThanOrEqualTo(log.getString("deliveries[2].attempted_at"));
    }

    private static GatewayProcess startGateway(String name, String schedule) {
        Map<String, String> env = cluster.env();
        env.put("CASCADE_WEBHOOKS_SCHEDULE", schedule);
        // The shortest interval the Quarkus scheduler supports; retries are timed by the sender's own timers.
        env.put("CASCADE_WEBHOOKS_POLL_INTERVAL", "1s");
        env.put("CASCADE_WEBHOOKS_USER_AGENT", userAgent(name));
        env.put("QUARKUS_LOG_CATEGORY__DEV_CASCADE_WEBHOOKS__LEVEL", "DEBUG");
        return cluster.startGateway(name, env);
    }

    /** Waits until each consumer group is stable with one member per gateway, every member holding partitions. */
    private static void awaitConsumersOnEveryGateway(int gateways, String... groups) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.bootstrapServers()))) {
            await("consumer groups spread over every gateway")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(ExecutionException.class)
                    .until(() -> spreadOver(admin, gateways, groups));
        }
    }

    private static boolean spreadOver(Admin admin, int gateways, String... groups) throws Exception {
        for (ConsumerGroupDescription group : admin.describeConsumerGroups(List.of(groups))
                .all()
                .get(5, TimeUnit.SECONDS)
                .values()) {
            if (group.groupState() != GroupState.STABLE || group.members().size() != gateways) {
                return false;
            }
            for (MemberDescription member : group.members()) {
                if (member.assignment().topicPartitions().isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Attempts of these events the gateway's own log (DEBUG) says it made; shown beside the receiver's count. */
    private static long loggedAttempts(GatewayProcess gateway, Set<String> webhookIds) {
        Pattern attempt = Pattern.compile("Webhook (\\S+) attempt \\d+: ");
        try (Stream<String> lines = Files.lines(gateway.log())) {
            return lines.map(attempt::matcher)
                    .filter(Matcher::find)
                    .filter(matcher -> webhookIds.contains(matcher.group(1)))
                    .count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The {@code User-Agent} the gateway of that name sends its webhooks with. */
    private static String userAgent(String gateway) {
        return "Cascade-IT-" + gateway + "/0.1";
    }

    private static String submit(GatewayProcess gateway, String webhookUrl, int contacts) {
        return given().baseUri(gateway.baseUrl())
                .auth()
                .oauth2(apiKey)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "enrichment_type",
                        "partial",
                        "webhook_url",
                        webhookUrl,
                        "contacts",
                        IntStream.range(0, contacts).mapToObj(Gateway::person).toList()))
                .when()
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .path("workflow_id");
    }

    private static JsonPath deliveries(GatewayProcess gateway, String workflowId) {
        return given().baseUri(gateway.baseUrl())
                .auth()
                .oauth2(apiKey)
                .queryParam("workflow_id", workflowId)
                .when()
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** The exact due time an attempt recorded for the next one (the API shows it to the second). */
    private static Instant nextAttemptAt(String workflowId, int attempt) throws Exception {
        try (Connection conn = DriverManager.getConnection(PostgresResource.jdbcUrl());
                PreparedStatement statement = conn.prepareStatement(
                        "SELECT next_attempt_at FROM webhook_attempts WHERE workflow_id = ? AND attempt = ?")) {
            statement.setString(1, workflowId);
            statement.setInt(2, attempt);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next())
                        .as("attempt %d of %s in the database", attempt, workflowId)
                        .isTrue();
                return rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
    }

    private static String workflowOf(Hit hit) {
        return JsonPath.from(hit.body()).getString("workflow_id");
    }

    private static long successes(Map<String, List<Hit>> events) {
        return events.values().stream()
                .flatMap(List::stream)
                .filter(hit -> hit.answered() == 200)
                .count();
    }

    /** Every event: three requests (503, 503, 200), one body, one workflow; one event per workflow. */
    private static void assertEveryEventAttemptedExactly(Map<String, List<Hit>> events, int workflows) {
        assertThat(events).as("webhook events seen").hasSize(workflows);
        events.forEach((id, hits) -> {
            assertThat(hits).as("requests for %s", id).extracting(Hit::answered).containsExactly(503, 503, 200);
            assertThat(hits)
                    .extracting(Hit::body)
                    .as("body of %s", id)
                    .containsOnly(hits.get(0).body());
        });
        Set<String> workflowIds =
                events.values().stream().map(hits -> workflowOf(hits.get(0))).collect(Collectors.toSet());
        assertThat(workflowIds).as("distinct workflows").hasSize(workflows);
    }
}
