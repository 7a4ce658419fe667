package dev.cascade.aggregation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Group settle: the polled batches of result records that arrive while a settle transaction runs are merged into the
 * next one. Without it each poll became a transaction of its own, and a burst of results (a submit's 250 contacts)
 * arrived over a dozen small polls, each waiting for the transactions of the polls before it. Now a burst costs one
 * or two transactions, and batches grow with the load instead of the number of transactions.
 *
 * <p>One settle runs at a time, over whole polled batches in the order they arrived, so a workflow's results settle in
 * transactions that follow their partition's order and its {@code settle_seq} keeps growing in commit order, as with
 * one transaction per poll (within one transaction the statement numbers a workflow's tasks by their index). Each
 * polled batch is told when the settle that held it has ended (its records are then acknowledged, never before their
 * commit).
 *
 * <p>Memory is bounded: while {@code maxRecords} records or more wait, {@link #offer} answers only once the running
 * settle has taken them, so the connector hands over no further poll (it queues at most two more, then pauses its
 * consumer) during an outage of the database instead of filling the heap.
 */
final class GroupSettle {
    /** One polled batch: its record values, their production times (may be null) and what to do once settled. */
    record Polled(List<String> records, List<Long> produced, Consumer<Throwable> done) {}

    /** A polled batch waiting for its settle, since when (the clock's nanoseconds). */
    private record Waiting(Polled polled, long since) {}

    private final int maxRecords;
    private final BiFunction<List<String>, List<Long>, Uni<Void>> settle;
    /** Told, for each polled batch a settle takes, how long it waited for it (nanoseconds). */
    private final LongConsumer waited;

    private final LongSupplier clock;

    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int waitingRecords;
    private boolean running;
    /** Completed once fewer than maxRecords records wait; null while there is room. */
    private CompletableFuture<Void> room;

    /**
     * @param maxRecords the most records one settle takes (a single larger poll is still settled whole), and the
     *     number of waiting records past which {@link #offer} waits for room
     * @param settle settles the records of the merged batches in one transaction, retrying as it must; a failure of
     *     its {@code Uni} is passed to every merged batch
     */
    GroupSettle(int maxRecords, BiFunction<List<String>, List<Long>, Uni<Void>> settle) {
        this(maxRecords, settle, nanos -> {});
    }

    /**
     * @param waited told, for each polled batch a settle takes, how long the batch waited for that settle to start
     *     (nanoseconds: the time spent behind the settle running when it arrived)
     */
    GroupSettle(int maxRecords, BiFunction<List<String>, List<Long>, Uni<Void>> settle, LongConsumer waited) {
        this(maxRecords, settle, waited, System::nanoTime);
    }

    /** @param clock what the waits are measured with ({@link System#nanoTime()}; a test's own clock) */
    GroupSettle(
            int maxRecords,
            BiFunction<List<String>, List<Long>, Uni<Void>> settle,
            LongConsumer waited,
            LongSupplier clock) {
        this.maxRecords = maxRecords;
        this.settle = settle;
        this.waited = waited;
        this.clock = clock;
    }

    /**
     * Queues a polled batch for the next settle (starting it when none runs). Answers at once while there is room,
     * else once the running settle has taken enough of the waiting records.
     */
    Uni<Void> offer(Polled polled) {
        CompletableFuture<Void> wait = null;
        boolean start;
        synchronized (this) {
            waiting.add(new Waiting(polled, clock.getAsLong()));
            waitingRecords += polled.records().size();
            start = !running;
            running = true;
            if (!start && waitingRecords >= maxRecords) {
                if (room == null) {
                    room = new CompletableFuture<>();
                }
                wait = room;
            }
        }
        if (start) {
            next();
        }
        return wait == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(wait);
    }

    /** Starts a settle of the waiting batches, or marks the group idle when none wait. */
    private void next() {
        List<Polled> taken = new ArrayList<>();
        List<Long> since = new ArrayList<>();
        int records = 0;
        CompletableFuture<Void> freed = null;
        synchronized (this) {
            while (!waiting.isEmpty()
                    && (taken.isEmpty()
                            || records + waiting.peek().polled().records().size() <= maxRecords)) {
                Waiting next = waiting.poll();
                taken.add(next.polled());
                since.add(next.since());
                records += next.polled().records().size();
            }
            waitingRecords -= records;
            if (taken.isEmpty()) {
                running = false;
            }
            if (room != null && waitingRecords < maxRecords) {
                freed = room;
                room = null;
            }
        }
        if (freed != null) {
            freed.complete(null);
        }
        if (taken.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        for (long arrived : since) {
            waited.accept(now - arrived);
        }
        Uni<Void> work;
        try {
            work = settle.apply(values(taken, records), produced(taken, records));
        } catch (RuntimeException failed) {
            // Whatever fails here is the settle's failure: the merged polls hear of it and the group carries on,
            // never left running with nothing to finish it.
            work = Uni.createFrom().failure(failed);
        }
        work.subscribe().with(done -> finish(taken, null), failure -> finish(taken, failure));
    }

    private static List<String> values(List<Polled> taken, int records) {
        List<String> values = new ArrayList<>(records);
        for (Polled polled : taken) {
            values.addAll(polled.records());
        }
        return values;
    }

    /** The production times, aligned with {@link #values}; null where a poll has none. */
    private static List<Long> produced(List<Polled> taken, int records) {
        List<Long> produced = new ArrayList<>(records);
        for (Polled polled : taken) {
            if (polled.produced() == null) {
                for (int i = 0; i < polled.records().size(); i++) {
                    produced.add(null);
                }
            } else {
                produced.addAll(polled.produced());
            }
        }
        return produced;
    }

    private void finish(List<Polled> taken, Throwable failure) {
        for (Polled polled : taken) {
            try {
                polled.done().accept(failure);
            } catch (RuntimeException unexpected) {
                Log.errorf(unexpected, "Finishing a settled batch of results failed");
            }
        }
        next();
    }
}
