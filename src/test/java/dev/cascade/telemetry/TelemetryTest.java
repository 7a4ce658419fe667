package dev.cascade.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;

/**
 * Traces, logs and metrics with tracing on: one workflow's span tree from the submit through its task records, the
 * waterfall and each provider call, the result records and their settles, to the webhook attempt; JSON log lines with
 * their timestamp and the request's trace id, and no secret; histogram buckets for p95/p99 on /q/metrics.
 */
@QuarkusTest
@TestProfile(TelemetryProfile.class)
class TelemetryTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer receiver;

    @Inject
    InMemorySpanExporter spans;

    @BeforeAll
    static void start() {
        receiver = Receiver.start();
        receiver.stubFor(WireMock.post(WireMock.urlPathMatching("/hooks/.*"))
                .willReturn(WireMock.aResponse().withStatus(200)));
    }

    @AfterAll
    static void stop() {
        receiver.stop();
    }

    @Test
    void oneWorkflowIsOneTraceFromTheSubmitToTheWebhook() {
        Tenant tenant = Gateway.newTenant("traced");
        Map<String, Object> body = new HashMap<>();
        body.put("enrichment_type", "partial");
        body.put("contacts", List.of(Gateway.person(1), Gateway.person(2)));
        body.put("webhook_url", "http://127.0.0.1:" + receiver.port() + "/hooks/traced");
        JsonPath submitted = tenant.submitForBody(body);
        String workflowId = submitted.getString("workflow_id");
        Set<String> taskIds = Set.copyOf(submitted.getList("task_ids", String.class));
        tenant.awaitTerminal(workflowId, WAIT);

        // The submit's server span roots the workflow's trace.
        SpanData submit = await().atMost(WAIT)
                .until(
                        () -> spans.getFinishedSpanItems().stream()
                                .filter(s -> s.getKind() == SpanKind.SERVER)
                                .filter(s -> s.getName().contains("/api/v1/public/enrich/bulk"))
                                .filter(s -> workflowId.equals(workflowOf(spans.getFinishedSpanItems(), s)))
                                .findFirst()
                                .orElse(null),
                        s -> s != null);
        String traceId = submit.getTraceId();

        // Everything of the workflow has ended and been exported: the webhook attempt is the last.
        await().atMost(WAIT)
                .until(() ->
                        inTrace(traceId).stream().anyMatch(s -> s.getName().equals("webhook enrichment.completed")));
        List<SpanData> trace = inTrace(traceId);

        SpanData publish = only(trace, "publish enrichment.tasks", SpanKind.PRODUCER);
        assertThat(publish.getParentSpanId()).isEqualTo(submit.getSpanId());
        assertThat(publish.getAttributes().get(Tracing.WORKFLOW_ID)).isEqualTo(workflowId);

        List<SpanData> tasks = named(trace, "process enrichment.tasks");
        assertThat(tasks).hasSize(2).allSatisfy(task -> {
            assertThat(task.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(task.getParentSpanId()).isEqualTo(publish.getSpanId());
        });
        assertThat(tasks.stream().map(t -> t.getAttributes().get(Tracing.TASK_ID)))
                .containsExactlyInAnyOrderElementsOf(taskIds);

        for (SpanData task : tasks) {
            List<SpanData> children = childrenOf(trace, task);
            // Each provider call of the task's waterfall, and its result record.
            assertThat(children)
                    .filteredOn(s -> s.getName().startsWith("provider "))
                    .isNotEmpty()
                    .allSatisfy(call -> {
                        assertThat(call.getAttributes().get(Tracing.PROVIDER)).isNotBlank();
                        assertThat(call.getAttributes().get(Tracing.OUTCOME)).isNotBlank();
                    });
            SpanData result = only(children, "publish enrichment.results", SpanKind.PRODUCER);
            // The settle of that result, in the workflow's trace, linked to the batch that settled it.
            SpanData settle = only(childrenOf(trace, result), "settle", SpanKind.INTERNAL);
            assertThat(settle.getAttributes().get(Tracing.TASK_ID))
                    .isEqualTo(task.getAttributes().get(Tracing.TASK_ID));
            assertThat(settle.getLinks()).hasSize(1);
            LinkData batch = settle.getLinks().get(0);
            SpanData batchSpan = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getSpanId().equals(batch.getSpanContext().getSpanId()))
                    .findFirst()
                    .orElseThrow();
            assertThat(batchSpan.getName()).isEqualTo("process enrichment.results");
            assertThat(batchSpan.getLinks().stream().map(l -> l.getSpanContext().getSpanId()))
                    .contains(result.getSpanId());
        }

        SpanData webhook = only(trace, "webhook enrichment.completed", SpanKind.CLIENT);
        assertThat(webhook.getParentSpanId()).isEqualTo(submit.getSpanId());
        assertThat(webhook.getAttributes().get(Tracing.WORKFLOW_ID)).isEqualTo(workflowId);
        assertThat(webhook.getAttributes().get(Tracing.OUTCOME)).isEqualTo("succeeded");

        // The task records carried the trace in W3C headers; the receiver got none (no trace id leaves for a third
        // party), and the workflow keeps its traceparent for the webhook.
        receiver.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/hooks/traced"))
                .forEach(e ->
                        assertThat(e.getRequest().containsHeader("traceparent")).isFalse());
        assertThat(Gateway.count(
                        "SELECT count(*) FROM workflows WHERE id = ? AND options ->> 'traceparent' LIKE ?",
                        workflowId,
                        "00-" + traceId + "-%"))
                .isEqualTo(1);
    }

    @Test
    void logLinesAreJsonWithTimestampAndTraceIdAndNoSecret() throws Exception {
        Tenant tenant = Gateway.newTenant("logged");
        String guess = "wrong-token-" + UUID.randomUUID();
        given().auth().oauth2(guess).get("/api/v1/admin/organizations").then().statusCode(401);
        given().auth()
                .oauth2(tenant.key())
                .get("/api/v1/public/credits/balance")
                .then()
                .statusCode(200);

        Path log = Path.of(TelemetryProfile.LOG);
        JsonNode refused = await().atMost(WAIT)
                .until(
                        () -> lines(log).stream()
                                .map(TelemetryTest::parse)
                                .filter(line ->
                                        line.path("message").asText().startsWith("Operator authentication failed from"))
                                .reduce((first, second) -> second)
                                .orElse(null),
                        line -> line != null);
        // Logged inside the request: its trace and span ids are on the line.
        assertThat(refused.path("mdc").path("traceId").asText()).matches("[0-9a-f]{32}");
        assertThat(refused.path("mdc").path("spanId").asText()).matches("[0-9a-f]{16}");

        String text = Files.readString(log, StandardCharsets.UTF_8);
        for (String line : lines(log)) {
            JsonNode parsed = parse(line);
            assertThat(parsed.path("timestamp").asText())
                    .as("every line has its date: %s", line)
                    .matches("\\d{4}-\\d{2}-\\d{2}T.*");
        }
        assertThat(text)
                .doesNotContain(guess)
                .doesNotContain(Gateway.ADMIN_TOKEN)
                .doesNotContain(tenant.key())
                .doesNotContain(Gateway.BOOTSTRAP_KEY);
    }

    @Test
    void metricsHaveHistogramBucketsForTheHttpAndTaskTimers() {
        Tenant tenant = Gateway.newTenant("measured");
        String workflowId = tenant.submit(Map.of("enrichment_type", "partial", "contacts", List.of(Gateway.person(3))));
        tenant.awaitTerminal(workflowId, WAIT);

        String metrics = given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics)
                .contains("http_server_requests_seconds_bucket{")
                .contains("cascade_waterfall_tasks_seconds_bucket{")
                .contains("cascade_task_turnaround_seconds_bucket{")
                .contains("cascade_task_settle_delay_seconds_bucket{");
    }

    private List<SpanData> inTrace(String traceId) {
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId))
                .collect(Collectors.toList());
    }

    /** The workflow id of the `publish enrichment.tasks` span under a server span, if any. */
    private static String workflowOf(List<SpanData> all, SpanData server) {
        return all.stream()
                .filter(s -> s.getParentSpanId().equals(server.getSpanId()))
                .filter(s -> s.getName().equals("publish enrichment.tasks"))
                .map(s -> s.getAttributes().get(Tracing.WORKFLOW_ID))
                .findFirst()
                .orElse(null);
    }

    private static List<SpanData> named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).collect(Collectors.toList());
    }

    private static SpanData only(List<SpanData> spans, String name, SpanKind kind) {
        List<SpanData> found = named(spans, name);
        assertThat(found).as(name).hasSize(1);
        assertThat(found.get(0).getKind()).isEqualTo(kind);
        return found.get(0);
    }

    private static List<SpanData> childrenOf(List<SpanData> trace, SpanData parent) {
        return trace.stream()
                .filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
                .collect(Collectors.toList());
    }

    private static List<String> lines(Path log) throws Exception {
        if (!Files.exists(log)) {
            return List.of();
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        // Whole lines only: the last one may be still being written.
        text = text.substring(0, text.lastIndexOf('\n') + 1);
        return text.lines().filter(line -> !line.isBlank()).collect(Collectors.toList());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception notJson) {
            throw new AssertionError("not a JSON log line: " + line, notJson);
        }
    }
}
