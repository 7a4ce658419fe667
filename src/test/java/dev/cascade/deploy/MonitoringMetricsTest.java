package dev.cascade.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedReceiver;

/**
 * Every metric the Grafana dashboard ({@code deploy/grafana/}) queries and every alert expression of the prod
 * PrometheusRule names exists on a running gateway's {@code /q/metrics}, after a small workflow with a webhook has
 * made the lazily registered ones appear. Names are matched on their base, so a query of {@code x_bucket} is served by
 * an export of {@code x_count} (histogram buckets are configured separately from the name).
 */
@QuarkusTest
class MonitoringMetricsTest {
    private static final Path DASHBOARD = Manifests.ROOT.resolve("deploy/grafana/cascade-gateway.json");
    private static ScriptedReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new ScriptedReceiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void everyDashboardQueryAndAlertNamesAMetricTheGatewayExports() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("title").asText()).isNotBlank();
        List<String> exprs = new ArrayList<>();
        PromQl.dashboardExprs(dashboard.path("panels"), exprs);
        assertThat(exprs).hasSizeGreaterThan(10);
        List<String> alerts = new ArrayList<>();
        AlertRulesTest.rule()
                .path("spec")
                .path("groups")
                .forEach(g ->
                        g.path("rules").forEach(r -> alerts.add(r.path("expr").asText())));
        assertThat(alerts).isNotEmpty();
        Set<String> wanted = new TreeSet<>();
        exprs.forEach(e -> wanted.addAll(PromQl.metricNames(e)));
        alerts.forEach(e -> wanted.addAll(PromQl.metricNames(e)));
        // The dashboard's panels cover what the operations issue asks for.
        assertThat(wanted)
                .contains(
                        "cascade_intake_workflows_total",
                        "kafka_consumer_fetch_manager_records_lag_max",
                        "cascade_provider_latency_seconds_bucket",
                        "cascade_provider_circuit_state",
                        "cascade_webhooks_attempts_seconds_count",
                        "cascade_ledger_holds_credits");

        // A small workflow, with a webhook, through every stage.
        Tenant tenant = Gateway.newTenant("metrics-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            contacts.add(Gateway.person(700 + i));
        }
        Map<String, Object> body = new HashMap<>();
        body.put("enrichment_type", "partial");
        body.put("contacts", contacts);
        body.put("webhook_url", receiver.url("/metrics-hook"));
        String workflowId = tenant.submit(body);
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !receiver.received("/metrics-hook").isEmpty());

        // Gauges refreshed by scheduled reads (ledger holds every 30 s) appear after their first run.
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(missing(wanted, exported()))
                        .as(
                                "metrics queried by deploy/grafana or alerted on in k8s/overlays/prod but not on /q/metrics")
                        .isEmpty());
    }

    private static List<String> missing(Set<String> wanted, Set<String> exported) {
        Set<String> bases = exported.stream().map(PromQl::base).collect(Collectors.toSet());
        return wanted.stream()
                .filter(name -> !exported.contains(name) && !bases.contains(PromQl.base(name)))
                .toList();
    }

    private static Set<String> exported() throws IOException {
        String metrics = given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Files.writeString(Path.of("target/metrics-dump.txt"), metrics);
        Set<String> names = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{');
            if (end < 0) {
                end = line.indexOf(' ');
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
