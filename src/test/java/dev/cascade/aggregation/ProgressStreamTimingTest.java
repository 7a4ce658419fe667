package dev.cascade.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import org.junit.jupiter.api.Test;

import dev.cascade.aggregation.ProgressStream.Event;
import dev.cascade.aggregation.ProgressStream.Heartbeat;
import dev.cascade.aggregation.ProgressStream.Position;
import dev.cascade.aggregation.ProgressStream.Status;
import dev.cascade.aggregation.ProgressStream.Task;
import dev.cascade.aggregation.ProgressStream.Timing;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedWorkflow;

/**
 * The progress stream's timing, with short intervals (the HTTP side is in `ProgressStreamTest`): heartbeats while
 * idle, a close after the longest duration, and a resume after that close that loses nothing.
 */
@QuarkusTest
class ProgressStreamTimingTest {
    private static final Timing SHORT =
            new Timing(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(2));
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ProgressStream progress;

    @Test
    void anIdleStreamSendsHeartbeatsAndEndsAfterItsLongestDuration() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-idle-" + UUID.randomUUID());
        ScriptedWorkflow scripted = ScriptedWorkflow.running(tenant, 3);

        long opened = System.nanoTime();
        AssertSubscriber<Event> idle = follow(tenant, scripted, Position.START);
        idle.awaitCompletion(WAIT);
        Duration open = Duration.ofNanos(System.nanoTime() - opened);

        assertThat(open).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(10));
        List<Event> events = idle.getItems();
        assertThat(events.get(0)).isInstanceOf(Status.class);
        assertThat(((Status) events.get(0)).id()).hasToString("0.1");
        assertThat(((Status) events.get(0)).workflow().status()).isEqualTo("running");
        // Then nothing but heartbeats, one per 300 ms of silence.
        assertThat(events.subList(1, events.size()))
                .hasSizeBetween(3, 7)
                .allSatisfy(event -> assertThat(event).isInstanceOf(Heartbeat.class));
    }

    @Test
    void aStreamResumedAfterItsCloseGetsWhatSettledMeanwhileAndTheRest() throws Exception {
        Tenant tenant = Gateway.newTenant("sse-reopen-" + UUID.randomUUID());
        ScriptedWorkflow scripted = ScriptedWorkflow.running(tenant, 3);
        scripted.settle(1);

        AssertSubscriber<Event> resumed = follow(tenant, scripted, Position.parse("0.1"));
        resumed.awaitItems(1, WAIT);
        Task first = (Task) resumed.getItems().get(0);
        assertThat(first.id()).hasToString("1.1");
        assertThat(first.item()).isEqualTo(scripted.item(1));

        scripted.settle(0, 2);
        resumed.awaitCompletion(WAIT);
        List<Event> events = resumed.getItems().stream()
                .filter(event -> !(event instanceof Heartbeat))
                .toList();
        assertThat(events).extracting(ProgressStreamTimingTest::id).containsExactly("1.1", "2.1", "3.1", "3.2");
        assertThat(((Task) events.get(1)).item()).isEqualTo(scripted.item(0));
        assertThat(((Task) events.get(2)).item()).isEqualTo(scripted.item(2));
        assertThat(((Status) events.get(3)).workflow().status()).isEqualTo("completed");
    }

    private AssertSubscriber<Event> follow(Tenant tenant, ScriptedWorkflow scripted, Position from) {
        return progress.follow(UUID.fromString(tenant.orgId()), scripted.workflowId(), from, SHORT)
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    }

    private static String id(Event event) {
        return event instanceof Task task
                ? task.id().toString()
                : ((Status) event).id().toString();
    }
}
