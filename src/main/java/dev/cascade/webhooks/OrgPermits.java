package dev.cascade.webhooks;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * At most {@code perOrg} operations of one organisation at once, in this process; the others wait in arrival order
 * without holding a thread. Used around the egress check's DNS lookup, so one organisation's slow or hostile name
 * server cannot take the shared lookup pool from the rest.
 */
final class OrgPermits {
    /** Running operations and waiters of one organisation; removed when both are gone. */
    private static final class Slot {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    private final int perOrg;
    private final Map<UUID, Slot> slots = new HashMap<>();

    OrgPermits(int perOrg) {
        this.perOrg = Math.max(1, perOrg);
    }

    /**
     * Runs {@code work} once the organisation has a free permit and gives the permit back when it ends (item,
     * failure or cancellation). {@code onWait} runs when the work has to wait.
     */
    <T> Uni<T> run(UUID org, Runnable onWait, Supplier<Uni<T>> work) {
        return acquire(org, onWait)
                .chain(() -> Uni.createFrom()
                        .<T>deferred(() -> work.get())
                        .onTermination()
                        .invoke(() -> release(org)));
    }

    /** Organisations holding or waiting for a permit (for tests and leak checks). */
    synchronized int organisations() {
        return slots.size();
    }

    private Uni<Void> acquire(UUID org, Runnable onWait) {
        return Uni.createFrom().emitter((UniEmitter<? super Void> emitter) -> {
            boolean granted;
            synchronized (this) {
                Slot slot = slots.computeIfAbsent(org, o -> new Slot());
                granted = slot.running < perOrg;
                if (granted) {
                    slot.running++;
                } else {
                    // A waiter cancelled meanwhile hands the permit on at once: whichever of grant and cancel
                    // comes first decides.
                    AtomicBoolean decided = new AtomicBoolean();
                    emitter.onTermination(() -> decided.set(true));
                    slot.waiting.add(() -> {
                        if (decided.compareAndSet(false, true)) {
                            emitter.complete(null);
                        } else {
                            release(org);
                        }
                    });
                }
            }
            if (granted) {
                emitter.complete(null);
            } else {
                onWait.run();
            }
        });
    }

    private void release(UUID org) {
        Runnable next;
        synchronized (this) {
            Slot slot = slots.get(org);
            if (slot == null) {
                return;
            }
            // The permit passes straight to the next waiter (running stays as it is), so no newcomer can overtake.
            next = slot.waiting.poll();
            if (next == null) {
                slot.running--;
                if (slot.running == 0) {
                    slots.remove(org);
                }
            }
        }
        if (next != null) {
            next.run();
        }
    }
}
