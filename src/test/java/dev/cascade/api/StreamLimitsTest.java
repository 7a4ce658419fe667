package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.EventStream;
import dev.cascade.testing.EventStream.Sse;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedWorkflow;

/**
 * Progress streams are capped per key (10) and per organisation (50) with a 429 that says when to retry, a slot is
 * given back when its client disconnects or its stream ends, and however many streams follow a workflow, the process
 * reads PostgreSQL once per poll for all of them.
 */
@QuarkusTest
class StreamLimitsTest {
    private static final String STREAM = "/api/v1/public/enrich/stream";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PER_KEY = 10;
    private static final int PER_ORGANIZATION = 50;

    @TestHTTPResource(STREAM)
    URL stream;

    @Inject
    MeterRegistry meters;

    private final List<EventStream> opened = new ArrayList<>();

    @BeforeEach
    void noStreamOpen() {
        // Streams of earlier tests are gone once the server has seen their clients leave.
        await().atMost(WAIT).until(() -> gauge("cascade.stream.open") == 0);
    }

    @AfterEach
    void closeStreams() throws Exception {
        for (EventStream events : opened) {
            events.close();
        }
        opened.clear();
        // Every slot is back once the server has seen the disconnects, so no test starts with another's streams.
        await().atMost(WAIT).until(() -> gauge("cascade.stream.open") == 0);
    }

    @Test
    void aKeyWithTenStreamsOpenIsRefused429WithRetryAfterUntilOneDisconnects() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-key-cap-" + UUID.randomUUID());
        ScriptedWorkflow scripted = ScriptedWorkflow.running(tenant, 2);
        double refusedBefore = refused("key");

        List<EventStream> mine = new ArrayList<>();
        for (int i = 0; i < PER_KEY; i++) {
            mine.add(openLive(tenant.key(), scripted));
        }
        assertThat(gauge("cascade.stream.open")).isEqualTo(PER_KEY);

        given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", scripted.workflowId())
                .get(STREAM)
                .then()
                .statusCode(429)
                .contentType(ContentType.JSON)
                .header("Retry-After", "5")
                .header("RateLimit-Limit", notNullValue())
                .header("RateLimit-Remaining", notNullValue())
                .header("RateLimit-Reset", notNullValue())
                .body("detail", equalTo("Too many open streams"));
        assertThat(refused("key") - refusedBefore).isEqualTo(1);

        // The cap is the key's: another key of the organisation still opens one.
        openLive(newKey(tenant.orgId()), scripted);

        // A client that goes away gives its slot back.
        mine.get(0).close();
        EventStream again = await().atMost(WAIT).until(() -> tryOpen(tenant.key(), scripted), events -> events != null);
        assertThat(again.next(WAIT).retry()).isEqualTo(2000);
        assertThat(again.next(WAIT).id()).isEqualTo("0.1");
    }

    @Test
    void streamsThatEndWithTheirWorkflowGiveTheirSlotsBack() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-key-end-" + UUID.randomUUID());
        ScriptedWorkflow first = ScriptedWorkflow.running(tenant, 1);
        List<EventStream> streams = new ArrayList<>();
        for (int i = 0; i < PER_KEY; i++) {
            streams.add(openLive(tenant.key(), first));
        }
        assertThat(tryOpen(tenant.key(), first)).isNull();

        first.settle(0);
        for (EventStream events : streams) {
            List<Sse> rest = events.untilEnd(WAIT);
            assertThat(rest.get(rest.size() - 1).id()).isEqualTo("1.2");
        }

        // The streams ended on their own (their clients are still connected): the key has all its slots again.
        ScriptedWorkflow second = ScriptedWorkflow.running(tenant, 1);
        await().atMost(WAIT).until(() -> gauge("cascade.stream.open") == 0);
        for (int i = 0; i < PER_KEY; i++) {
            openLive(tenant.key(), second);
        }
    }

    @Test
    void anOrganisationWithFiftyStreamsOpenIsRefused429UntilOneDisconnects() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-org-cap-" + UUID.randomUUID());
        ScriptedWorkflow scripted = ScriptedWorkflow.running(tenant, 2);
        double refusedBefore = refused("organization");
        List<String> keys = new ArrayList<>(List.of(tenant.key()));
        while (keys.size() < PER_ORGANIZATION / PER_KEY) {
            keys.add(newKey(tenant.orgId()));
        }
        List<EventStream> first = new ArrayList<>();
        for (String key : keys) {
            for (int i = 0; i < PER_KEY; i++) {
                EventStream events = open(key, scripted);
                assertThat(events.response().statusCode()).isEqualTo(200);
                if (key.equals(tenant.key())) {
                    first.add(events);
                }
            }
        }
        assertThat(gauge("cascade.stream.open")).isEqualTo(PER_ORGANIZATION);

        // A key with no stream open is refused: its organisation is full.
        String fresh = newKey(tenant.orgId());
        given().auth()
                .oauth2(fresh)
                .queryParam("workflow_id", scripted.workflowId())
                .get(STREAM)
                .then()
                .statusCode(429)
                .header("Retry-After", "5")
                .header("RateLimit-Limit", notNullValue())
                .body("detail", equalTo("Too many open streams"));
        assertThat(refused("organization") - refusedBefore).isEqualTo(1);
        // Another organisation is not affected.
        Tenant other = Gateway.newTenant("sse-org-other-" + UUID.randomUUID());
        openLive(other.key(), ScriptedWorkflow.running(other, 1));

        first.get(0).close();
        EventStream again = await().atMost(WAIT).until(() -> tryOpen(fresh, scripted), events -> events != null);
        assertThat(again.next(WAIT).retry()).isEqualTo(2000);
    }

    @Test
    void manyStreamsOfOneWorkflowCostOneReadPerPollAndEachEndsWithTheTerminalEvent() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-shared-" + UUID.randomUUID());
        ScriptedWorkflow scripted = ScriptedWorkflow.running(tenant, 3);
        List<String> keys = List.of(tenant.key(), newKey(tenant.orgId()), newKey(tenant.orgId()));
        double pollsBefore = counter("cascade.stream.polls");
        double readsBefore = counter("cascade.stream.reads");

        List<EventStream> streams = new ArrayList<>();
        for (String key : keys) {
            for (int i = 0; i < PER_KEY; i++) {
                streams.add(openLive(key, scripted));
            }
        }
        scripted.settle(1);
        for (EventStream events : streams) {
            assertThat(nextEvent(events).id()).isEqualTo("1.1");
        }
        scripted.settle(0);
        for (EventStream events : streams) {
            assertThat(nextEvent(events).id()).isEqualTo("2.1");
        }
        scripted.settle(2);
        for (EventStream events : streams) {
            List<Sse> rest =
                    events.untilEnd(WAIT).stream().filter(e -> e.name() != null).toList();
            assertThat(rest).extracting(Sse::id).containsExactly("3.1", "3.2");
            assertThat(rest.get(1).name()).isEqualTo("workflow");
            assertThat(rest.get(1).json().path("status").asText()).isEqualTo("completed");
        }

        double polls = counter("cascade.stream.polls") - pollsBefore;
        double reads = counter("cascade.stream.reads") - readsBefore;
        // Thirty streams were served by polls of one statement each, not by a statement per stream and poll.
        assertThat(polls).isPositive();
        assertThat(reads).isPositive().isLessThanOrEqualTo(polls);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private URI uri(ScriptedWorkflow scripted) {
        return URI.create(stream + "?workflow_id=" + scripted.workflowId());
    }

    private EventStream open(String key, ScriptedWorkflow scripted) throws Exception {
        EventStream events = EventStream.open(uri(scripted), key, null);
        opened.add(events);
        return events;
    }

    /** Opens a stream that must be accepted, and reads up to its first `workflow` event. */
    private EventStream openLive(String key, ScriptedWorkflow scripted) throws Exception {
        EventStream events = open(key, scripted);
        assertThat(events.response().statusCode()).isEqualTo(200);
        assertThat(events.next(WAIT).retry()).isEqualTo(2000);
        assertThat(events.next(WAIT).id()).isEqualTo("0.1");
        return events;
    }

    /** An accepted stream, or null (its attempt closed) when it was refused. */
    private EventStream tryOpen(String key, ScriptedWorkflow scripted) throws Exception {
        EventStream events = open(key, scripted);
        if (events.response().statusCode() == 200) {
            return events;
        }
        assertThat(events.response().statusCode()).isEqualTo(429);
        events.close();
        return null;
    }

    /** The next named event, past heartbeats. */
    private static Sse nextEvent(EventStream events) throws InterruptedException {
        Sse next = events.next(WAIT);
        while (next.name() == null) {
            next = events.next(WAIT);
        }
        return next;
    }

    private static String newKey(String orgId) {
        return given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "stream-" + UUID.randomUUID()))
                .post("/api/v1/admin/organizations/" + orgId + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
    }

    private double gauge(String name) {
        var gauge = meters.find(name).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private double refused(String limit) {
        Counter counter =
                meters.find("cascade.stream.refused").tag("limit", limit).counter();
        return counter == null ? 0 : counter.count();
    }
}
