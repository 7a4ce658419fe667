package dev.cascade.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.EventStream;
import dev.cascade.testing.EventStream.Sse;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedWorkflow;
import dev.cascade.testing.VendorStubs;

/**
 * `GET /enrich/stream` (§4.5): every settled task once, in settlement order, status changes, the terminal status last,
 * and a resume from `Last-Event-ID` that neither skips nor repeats.
 */
@QuarkusTest
class ProgressStreamTest {
    private static final String STREAM = "/api/v1/public/enrich/stream";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TERMINAL = List.of("completed", "completed_with_errors", "failed");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource(STREAM)
    URL stream;

    @Test
    void deliversEveryTaskOnceInSettlementOrderThenTheTerminalWorkflowAndEnds() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-live-" + UUID.randomUUID());
        var submitted = submitSlowly(tenant, "Live", 30);
        String workflowId = submitted.workflowId();

        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), null)) {
            HttpResponse<?> response = events.response();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
            assertThat(response.headers().firstValue("RateLimit-Limit")).isPresent();
            assertThat(response.headers().firstValue("RateLimit-Remaining")).isPresent();
            assertThat(response.headers().firstValue("RateLimit-Reset")).isPresent();
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();

            List<Sse> all = events.untilEnd(WAIT);
            // The opening block only sets the reconnection delay.
            assertThat(all.get(0).retry()).isEqualTo(2000);
            assertThat(all.get(0).name()).isNull();
            List<Sse> received = all.subList(1, all.size()).stream()
                    .filter(e -> e.name() != null)
                    .toList();

            // A workflow event first: the stream was opened before anything settled.
            assertThat(received.get(0).name()).isEqualTo("workflow");
            assertThat(received.get(0).json().path("status").asText()).isIn("pending", "running");
            Sse last = received.get(received.size() - 1);
            assertThat(last.name()).isEqualTo("workflow");
            assertThat(last.id()).isEqualTo("30.2");

            List<Sse> tasks =
                    received.stream().filter(e -> e.name().equals("task")).toList();
            assertThat(taskIds(tasks)).isEqualTo(settlementOrder(workflowId)).hasSize(30);
            assertThat(new HashSet<>(taskIds(tasks))).isEqualTo(new HashSet<>(submitted.taskIds()));
            for (int i = 0; i < tasks.size(); i++) {
                assertThat(tasks.get(i).id()).matches((i + 1) + "\\.[01]");
            }
            assertThatTaskEventsAreTheStatusItems(tenant, workflowId, tasks);
            assertThatWorkflowEventsAreStatusChanges(received);

            // The terminal event is the status endpoint's workflow, exactly.
            JsonNode status = statusWorkflow(tenant, workflowId);
            assertThat(last.json()).isEqualTo(status);
            assertThat(TERMINAL).contains(status.path("status").asText());
        }
    }

    @Test
    void aClientThatReconnectsWithTheLastIdGetsTheRestWithoutGapsOrDuplicates() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-resume-" + UUID.randomUUID());
        var submitted = submitSlowly(tenant, "Resume", 30);
        String workflowId = submitted.workflowId();

        List<Sse> first = new ArrayList<>();
        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), null)) {
            while (first.stream().filter(e -> "task".equals(e.name())).count() < 10) {
                first.add(events.next(WAIT));
            }
        }
        String lastId = first.get(first.size() - 1).id();
        assertThat(lastId).matches("10\\.[01]");

        List<Sse> rest;
        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), lastId)) {
            assertThat(events.response().statusCode()).isEqualTo(200);
            rest = events.untilEnd(WAIT);
        }
        List<Sse> restTasks = rest.stream().filter(e -> "task".equals(e.name())).toList();
        List<String> union = new ArrayList<>(
                taskIds(first.stream().filter(e -> "task".equals(e.name())).toList()));
        union.addAll(taskIds(restTasks));
        assertThat(union)
                .isEqualTo(settlementOrder(workflowId))
                .doesNotHaveDuplicates()
                .hasSize(30);
        assertThat(restTasks.get(0).id()).startsWith("11.");
        // No status delivered twice either, and the terminal one ends the second stream.
        List<Sse> received = new ArrayList<>(first);
        received.addAll(rest);
        assertThatWorkflowEventsAreStatusChanges(
                received.stream().filter(e -> e.name() != null).toList());
        Sse last = rest.get(rest.size() - 1);
        assertThat(last.name()).isEqualTo("workflow");
        assertThat(last.id()).isEqualTo("30.2");
    }

    @Test
    void whatSettlesWhileAClientIsAwayIsDeliveredOnItsReturnAndTheStatusIsNotRepeated() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-seeded-" + UUID.randomUUID());
        ScriptedWorkflow seeded = ScriptedWorkflow.running(tenant, 6);

        List<Sse> first = new ArrayList<>();
        try (EventStream events = EventStream.open(uri(seeded.workflowId()), tenant.key(), null)) {
            assertThat(events.next(WAIT).retry()).isEqualTo(2000);
            Sse running = events.next(WAIT);
            assertThat(running.name()).isEqualTo("workflow");
            assertThat(running.id()).isEqualTo("0.1");
            assertThat(running.json().path("status").asText()).isEqualTo("running");
            assertThat(running.json().has("results")).isFalse();

            seeded.settle(0, 1, 2);
            for (int i = 0; i < 3; i++) {
                first.add(events.next(WAIT));
            }
        }
        assertThat(first).extracting(Sse::id).containsExactly("1.1", "2.1", "3.1");
        assertThat(first).extracting(Sse::name).containsOnly("task");
        assertThat(first.get(0).json()).isEqualTo(seeded.item(0));

        // Settled while nobody listens.
        seeded.settle(3, 4);
        try (EventStream events = EventStream.open(uri(seeded.workflowId()), tenant.key(), "3.1")) {
            assertThat(events.next(WAIT).retry()).isEqualTo(2000);
            Sse fourth = events.next(WAIT);
            assertThat(fourth.name()).isEqualTo("task");
            assertThat(fourth.id()).isEqualTo("4.1");
            assertThat(fourth.json()).isEqualTo(seeded.item(3));
            assertThat(events.next(WAIT).id()).isEqualTo("5.1");

            seeded.settle(5);
            Sse sixth = events.next(WAIT);
            assertThat(sixth.id()).isEqualTo("6.1");
            assertThat(sixth.json()).isEqualTo(seeded.item(5));
            Sse done = events.next(WAIT);
            assertThat(done.name()).isEqualTo("workflow");
            assertThat(done.id()).isEqualTo("6.2");
            assertThat(done.json().path("status").asText()).isEqualTo("completed");
            assertThat(done.json().path("completed_prospects").asInt()).isEqualTo(6);
            assertThat(events.untilEnd(WAIT)).isEmpty();
        }
    }

    @Test
    void aStreamOpenedAfterTheWorkflowFinishedReplaysEverythingAndCloses() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-replay-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            contacts.add(Gateway.person(i));
        }
        String workflowId = tenant.submit(Map.of("enrichment_type", "full", "contacts", contacts));
        tenant.awaitTerminal(workflowId, WAIT);

        List<Sse> replay;
        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), null)) {
            replay = events.untilEnd(WAIT);
        }
        assertThat(replay.get(0).retry()).isEqualTo(2000);
        List<Sse> received = replay.subList(1, replay.size());
        // The tasks first, then the terminal status: a finished workflow has no earlier status to report.
        assertThat(received).extracting(Sse::id).containsExactly("1.0", "2.0", "3.0", "4.0", "5.0", "5.2");
        assertThat(received.subList(0, 5)).extracting(Sse::name).containsOnly("task");
        assertThat(taskIds(received.subList(0, 5))).isEqualTo(settlementOrder(workflowId));
        assertThatTaskEventsAreTheStatusItems(tenant, workflowId, received.subList(0, 5));
        assertThat(received.get(5).name()).isEqualTo("workflow");
        assertThat(received.get(5).json()).isEqualTo(statusWorkflow(tenant, workflowId));

        // Resuming part way gives the rest.
        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), "3.0")) {
            assertThat(events.untilEnd(WAIT))
                    .filteredOn(e -> e.name() != null)
                    .extracting(Sse::id)
                    .containsExactly("4.0", "5.0", "5.2");
        }
        // A client that has every task but not the end gets only the terminal event.
        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), "5.1")) {
            List<Sse> end =
                    events.untilEnd(WAIT).stream().filter(e -> e.name() != null).toList();
            assertThat(end).extracting(Sse::id).containsExactly("5.2");
            assertThat(end.get(0).name()).isEqualTo("workflow");
        }
        // A client that has the terminal event gets 204 and no body: an EventSource stops reconnecting.
        given().auth()
                .oauth2(tenant.key())
                .header("Last-Event-ID", "5.2")
                .queryParam("workflow_id", workflowId)
                .get(STREAM)
                .then()
                .statusCode(204)
                .body(equalTo(""))
                .header("RateLimit-Limit", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aProspectingTaskGivesOneEventPerProspectRowAsTheStatusEndpointListsThem() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-prospecting-" + UUID.randomUUID());
        List<Map<String, Object>> companies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            companies.add(Map.of("company_domain", "company" + i + ".com"));
        }
        String workflowId = tenant.submit(Map.of("enrichment_type", "prospecting_only", "contacts", companies));
        tenant.awaitTerminal(workflowId, WAIT);

        List<Sse> tasks;
        try (EventStream events = EventStream.open(uri(workflowId), tenant.key(), null)) {
            tasks = events.untilEnd(WAIT).stream()
                    .filter(e -> "task".equals(e.name()))
                    .toList();
        }
        Map<String, List<JsonNode>> rows = new HashMap<>();
        statusResults(tenant, workflowId)
                .forEach(row -> rows.computeIfAbsent(row.path("task_id").asText(), k -> new ArrayList<>())
                        .add(row));
        assertThat(rows.values().stream().mapToInt(List::size).sum()).isGreaterThan(3);
        // One event per §5.3 item: each a prospect row (never a `prospects` list), a task's rows together and in the
        // status endpoint's order, only the last of them carrying the task's event id.
        Map<String, List<JsonNode>> streamed = new java.util.LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (Sse task : tasks) {
            JsonNode item = task.json();
            assertThat(item.has("prospects")).isFalse();
            streamed.computeIfAbsent(item.path("task_id").asText(), k -> new ArrayList<>())
                    .add(item);
            if (task.id() != null) {
                ids.add(task.id());
                assertThat(streamed.get(item.path("task_id").asText()))
                        .isEqualTo(rows.get(item.path("task_id").asText()));
            }
        }
        assertThat(streamed).isEqualTo(rows);
        assertThat(ids).containsExactly("1.0", "2.0", "3.0");
        assertThat(tasks.get(tasks.size() - 1).id()).isEqualTo("3.0");
    }

    @Test
    void unknownForeignAndMalformedWorkflowsAre404BeforeAnyStream() {
        Tenant owner = Gateway.newTenant("sse-owner-" + UUID.randomUUID());
        Tenant stranger = Gateway.newTenant("sse-stranger-" + UUID.randomUUID());
        String workflowId = owner.submit(Map.of("enrichment_type", "none", "contacts", List.of(Gateway.person(1))));
        owner.awaitTerminal(workflowId, WAIT);
        for (String id : List.of(workflowId, "public_bulk_" + UUID.randomUUID(), "nope", "public_bulk_x'; DROP--")) {
            given().auth()
                    .oauth2(stranger.key())
                    .queryParam("workflow_id", id)
                    .get(STREAM)
                    .then()
                    .statusCode(404)
                    .contentType("application/json")
                    .body("detail", equalTo("Workflow not found"))
                    .header("RateLimit-Limit", org.hamcrest.Matchers.notNullValue());
        }
        given().auth()
                .oauth2(owner.key())
                .queryParam("workflow_id", workflowId)
                .get(STREAM)
                .then()
                .statusCode(200)
                .contentType("text/event-stream");
    }

    @Test
    void aMissingWorkflowIdOrAMalformedLastEventIdIs400AndNoKeyIs401() {
        Tenant tenant = Gateway.newTenant("sse-bad-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of("enrichment_type", "none", "contacts", List.of(Gateway.person(1))));
        given().auth()
                .oauth2(tenant.key())
                .get(STREAM)
                .then()
                .statusCode(400)
                .body("detail", equalTo("Provide workflow_id."));
        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", "  ")
                .get(STREAM)
                .then()
                .statusCode(400)
                .body("detail", equalTo("Provide workflow_id."));
        // Not an id this stream gives out, or beyond the workflow's tasks.
        for (String bad : List.of("abc", "1", "1.3", "-1.0", "1.1.1", "01.1", "1 .1", "2.1", "9999999999.1")) {
            given().auth()
                    .oauth2(tenant.key())
                    .header("Last-Event-ID", bad)
                    .queryParam("workflow_id", workflowId)
                    .get(STREAM)
                    .then()
                    .statusCode(400)
                    .contentType("application/json")
                    .body("detail", equalTo("Invalid Last-Event-ID"));
        }
        given().queryParam("workflow_id", workflowId)
                .get(STREAM)
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("detail", equalTo("Not authenticated"));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private URI uri(String workflowId) {
        return URI.create(stream + "?workflow_id=" + workflowId);
    }

    private record Submitted(String workflowId, List<String> taskIds) {}

    /**
     * Submits {@code count} contacts whose email finder (the loopback Hunter) answers each after 20–250 ms, so the
     * tasks settle one after another over about a second while the stream is open.
     */
    private static Submitted submitSlowly(Tenant tenant, String tag, int count) {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/t-hunter/circuit/reset")
                .then()
                .statusCode(200);
        String prefix = "Sse" + tag + UUID.randomUUID().toString().substring(0, 8);
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", matching(prefix + "-[0-9]+"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"data\":{\"email\":\"someone@acme.com\",\"score\":90,"
                                        + "\"domain\":\"acme.com\",\"accept_all\":false,"
                                        + "\"verification\":{\"date\":null,\"status\":\"valid\"}},\"meta\":{}}")
                                .withUniformRandomDelay(20, 250)));
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            contacts.add(Map.of("first_name", prefix + "-" + i, "last_name", "Ng", "company_domain", "acme.com"));
        }
        var body = tenant.submitForBody(Map.of(
                "enrichment_type", "partial", "contacts", contacts, "waterfall", Map.of("email", List.of("t-hunter"))));
        return new Submitted(body.getString("workflow_id"), body.getList("task_ids", String.class));
    }

    private static List<String> taskIds(List<Sse> tasks) {
        return tasks.stream().map(e -> e.json().path("task_id").asText()).toList();
    }

    /** The workflow's task ids in the order the aggregator settled them. */
    private static List<String> settlementOrder(String workflowId) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection conn = Db.connect();
                PreparedStatement query =
                        conn.prepareStatement("SELECT id FROM tasks WHERE workflow_id = ? ORDER BY settle_seq")) {
            query.setString(1, workflowId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    /** The status endpoint's `workflow` object, without results. */
    private static JsonNode statusWorkflow(Tenant tenant, String workflowId) throws Exception {
        return JSON.readTree(given().auth()
                        .oauth2(tenant.key())
                        .queryParam("workflow_id", workflowId)
                        .get("/api/v1/public/enrich/status")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .path("workflow");
    }

    /** The status endpoint's result items (`include_results=true`). */
    private static JsonNode statusResults(Tenant tenant, String workflowId) throws Exception {
        return JSON.readTree(given().auth()
                        .oauth2(tenant.key())
                        .queryParam("workflow_id", workflowId)
                        .queryParam("include_results", "true")
                        .get("/api/v1/public/enrich/status")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .path("workflow")
                .path("results");
    }

    /** Each task event's data is the item the status endpoint lists for that task, field for field. */
    private static void assertThatTaskEventsAreTheStatusItems(Tenant tenant, String workflowId, List<Sse> tasks)
            throws Exception {
        Map<String, JsonNode> byTask = new HashMap<>();
        statusResults(tenant, workflowId)
                .forEach(item -> byTask.put(item.path("task_id").asText(), item));
        for (Sse task : tasks) {
            assertThat(task.json())
                    .isEqualTo(byTask.get(task.json().path("task_id").asText()));
        }
    }

    /** One workflow event per status, in the order pending → running → terminal, never two of one rank. */
    private static void assertThatWorkflowEventsAreStatusChanges(List<Sse> received) {
        List<String> statuses = received.stream()
                .filter(e -> e.name().equals("workflow"))
                .map(e -> e.json().path("status").asText())
                .toList();
        List<Integer> ranks = statuses.stream()
                .map(s -> s.equals("pending") ? 0 : s.equals("running") ? 1 : 2)
                .toList();
        assertThat(ranks).isSorted().doesNotHaveDuplicates();
        assertThat(ranks.get(ranks.size() - 1)).isEqualTo(2);
        for (Sse event : received) {
            if (event.name().equals("workflow")) {
                assertThat(event.json().has("results")).isFalse();
                assertThat(event.id())
                        .endsWith("."
                                + ranks.get(statuses.indexOf(
                                        event.json().path("status").asText())));
            }
        }
    }
}
