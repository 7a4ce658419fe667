package dev.cascade.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

/** The aggregator's group settle: polls merged while a settle runs, in order, acknowledged after it, memory bounded. */
class GroupSettleTest {

    /** A settle the test finishes by hand; records what each call was given. */
    private static final class Settles {
        final List<List<String>> records = new ArrayList<>();
        final List<List<Long>> produced = new ArrayList<>();
        final List<CompletableFuture<Void>> running = new ArrayList<>();

        Uni<Void> settle(List<String> values, List<Long> times) {
            records.add(values);
            produced.add(times);
            CompletableFuture<Void> done = new CompletableFuture<>();
            running.add(done);
            return Uni.createFrom().completionStage(done);
        }
    }

    /** What a polled batch was told when its settle ended: not yet, settled (null) or the failure. */
    private static final class Outcome {
        final AtomicBoolean told = new AtomicBoolean();
        Throwable failure;

        void tell(Throwable failure) {
            assertFalse(told.getAndSet(true), "a batch is told once");
            this.failure = failure;
        }
    }

    private static GroupSettle.Polled polled(Outcome outcome, String... records) {
        List<Long> produced = new ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            produced.add((long) i);
        }
        return new GroupSettle.Polled(Arrays.asList(records), produced, outcome::tell);
    }

    private static boolean answered(Uni<Void> offered) {
        return offered.subscribeAsCompletionStage().isDone();
    }

    @Test
    void pollsArrivingDuringASettleGoIntoTheNextOneInOrder() {
        Settles settles = new Settles();
        GroupSettle group = new GroupSettle(100, settles::settle);
        Outcome first = new Outcome();
        Outcome second = new Outcome();
        Outcome third = new Outcome();

        assertTrue(answered(group.offer(polled(first, "a", "b"))));
        assertEquals(List.of(List.of("a", "b")), settles.records, "the first poll settles at once");
        assertTrue(answered(group.offer(polled(second, "c"))));
        assertTrue(answered(group.offer(new GroupSettle.Polled(List.of("d", "e"), null, third::tell))));
        assertEquals(1, settles.records.size(), "one settle at a time");
        assertFalse(first.told.get(), "nothing is acknowledged before its settle ends");

        settles.running.get(0).complete(null);
        assertTrue(first.told.get());
        assertNull(first.failure);
        assertEquals(List.of("c", "d", "e"), settles.records.get(1), "the waiting polls are merged, in arrival order");
        assertEquals(Arrays.asList(0L, null, null), settles.produced.get(1), "times stay aligned with their records");
        assertFalse(second.told.get());

        settles.running.get(1).complete(null);
        assertTrue(second.told.get() && third.told.get());
        assertEquals(2, settles.records.size(), "idle once nothing waits");

        Outcome later = new Outcome();
        group.offer(polled(later, "f"));
        assertEquals(List.of("f"), settles.records.get(2), "an idle group settles the next poll at once");
    }

    @Test
    void eachPollsWaitForItsSettleIsToldWhenTheSettleTakesIt() {
        Settles settles = new Settles();
        List<Long> waits = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000);
        GroupSettle group = new GroupSettle(100, settles::settle, waits::add, clock::get);

        group.offer(polled(new Outcome(), "a"));
        assertEquals(1, waits.size(), "a poll that finds the group idle is told at once");
        group.offer(polled(new Outcome(), "b"));
        group.offer(polled(new Outcome(), "c"));
        assertEquals(1, waits.size(), "polls behind the running settle are told only when a settle takes them");
        clock.addAndGet(20_000_000L);
        settles.running.get(0).complete(null);

        assertEquals(3, waits.size(), "one wait per polled batch");
        assertTrue(waits.get(0) < waits.get(1) && waits.get(0) < waits.get(2), "the first waited for nothing");
        assertTrue(waits.get(1) >= 20_000_000L, "the others waited for the running settle: " + waits);
    }

    @Test
    void offersWaitWhileTheBoundIsReachedAndMergesStayWithinIt() {
        Settles settles = new Settles();
        GroupSettle group = new GroupSettle(3, settles::settle);
        group.offer(polled(new Outcome(), "a"));
        assertTrue(answered(group.offer(polled(new Outcome(), "b", "c"))));
        Uni<Void> full = group.offer(polled(new Outcome(), "d"));
        CompletableFuture<Void> answer = full.subscribeAsCompletionStage();
        assertFalse(answer.isDone(), "three records wait: the connector gets no answer, so it polls no more");

        settles.running.get(0).complete(null);
        assertEquals(List.of("b", "c", "d"), settles.records.get(1), "a settle takes whole polls up to the bound");
        assertTrue(answer.isDone(), "room again once the waiting records were taken");
        Outcome big = new Outcome();
        assertFalse(answered(group.offer(polled(big, "e", "f", "g", "h"))), "a poll larger than the bound waits");
        Outcome small = new Outcome();
        Uni<Void> behind = group.offer(polled(small, "i"));

        settles.running.get(1).complete(null);
        assertEquals(List.of("e", "f", "g", "h"), settles.records.get(2), "a poll larger than the bound settles whole");
        assertTrue(answered(behind));
        settles.running.get(2).complete(null);
        assertTrue(big.told.get());
        assertEquals(List.of("i"), settles.records.get(3), "the poll behind it is not merged past the bound");
        settles.running.get(3).complete(null);
        assertTrue(small.told.get());
    }

    @Test
    void aFailedSettleIsPassedToEveryMergedPollAndTheNextOnesStillSettle() {
        Settles settles = new Settles();
        GroupSettle group = new GroupSettle(100, settles::settle);
        Outcome first = new Outcome();
        Outcome second = new Outcome();
        Outcome third = new Outcome();
        Outcome fourth = new Outcome();
        group.offer(polled(first, "a"));
        group.offer(polled(second, "b"));
        group.offer(polled(third, "c"));

        settles.running.get(0).complete(null);
        group.offer(polled(fourth, "d"));
        IllegalStateException failure = new IllegalStateException("database gone");
        settles.running.get(1).completeExceptionally(failure);
        assertSame(failure, second.failure);
        assertSame(failure, third.failure);
        assertNull(first.failure);

        assertEquals(List.of("d"), settles.records.get(2));
        settles.running.get(2).complete(null);
        assertTrue(fourth.told.get());
        assertNull(fourth.failure);
    }

    @Test
    void aPollWhoseAcknowledgementThrowsDoesNotStopTheGroup() {
        Settles settles = new Settles();
        GroupSettle group = new GroupSettle(100, settles::settle);
        group.offer(new GroupSettle.Polled(List.of("a"), null, failure -> {
            throw new IllegalStateException("ack failed");
        }));
        Outcome next = new Outcome();
        group.offer(polled(next, "b"));

        settles.running.get(0).complete(null);
        assertEquals(List.of("b"), settles.records.get(1), "the next poll still settles");
        settles.running.get(1).complete(null);
        assertTrue(next.told.get());
    }

    @Test
    void aSettleThatThrowsIsAFailedSettle() {
        GroupSettle group = new GroupSettle(10, (records, produced) -> {
            throw new IllegalArgumentException("unreadable");
        });
        Outcome outcome = new Outcome();
        group.offer(polled(outcome, "a"));
        assertTrue(outcome.failure instanceof IllegalArgumentException);
    }
}
