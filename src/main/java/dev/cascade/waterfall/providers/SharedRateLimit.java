package dev.cascade.waterfall.providers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import dev.cascade.config.ProviderRateLimit;

/**
 * A provider's quota shared by every gateway process: `limit` calls per `window` for all of them together, counted in
 * PostgreSQL ({@link QuotaLeases}).
 *
 * <p>A permit is a moment: the database hands out the provider's permits as moments spaced {@link #spacingMs} apart,
 * never one in the past of the last one handed out, and a process leases a block of them in one round trip (as many
 * as it has calls waiting, at most `lease-size`). A call waits for its permit's moment and goes then; if it could not
 * go within {@link #lateness(double)} of that moment (a late timer), the permit is lost and the call asks for another,
 * so a permit is never used late and never given back. Hence, in any interval of `window`, whenever it starts, at most
 * the permits due within `window + lateness` of each other go out: with the spacing
 * `(window + lateness + margin) / limit` that is `limit`, with `margin` to spare for the jitter between a call's
 * departure and its arrival at the vendor. The bound is sliding, not per fixed window, so it holds whichever clock and window edges the
 * vendor counts by, and no burst is ever sent.
 *
 * <p>A call that cannot have a permit within `max-wait` fails with {@link QuotaExceededException} (the trace's
 * `rate limited`); while the database cannot be reached, calls wait (the lease is retried) up to the same bound.
 */
final class SharedRateLimit {
    private static final long RETRY_AFTER_ERROR_MS = 250;

    private final String provider;
    private final QuotaLeases quotas;
    private final double spacingMs;
    /** How late after its moment a permit may still be used. */
    private final long lateNanos;

    private final long maxWaitNanos;
    private final int leaseSize;
    private final Runnable waited;

    /** Calls without a permit yet, oldest first. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** Whether a lease round is under way (one at a time per provider and process). */
    private boolean leasing;
    /** Whether the last lease failed (logged once per run of failures). */
    private boolean failing;

    SharedRateLimit(String provider, ProviderRateLimit settings, QuotaLeases quotas, Runnable waited) {
        int limit = settings.limit().orElseThrow();
        if (limit < 1) {
            throw new IllegalArgumentException("rate-limit.limit must be at least 1");
        }
        double windowMs = settings.window().toNanos() / 1e6;
        if (windowMs <= 0) {
            throw new IllegalArgumentException("rate-limit.window must be positive");
        }
        this.provider = provider;
        this.quotas = quotas;
        double lateness = lateness(windowMs);
        double marginMs =
                settings.margin().map(margin -> margin.toNanos() / 1e6).orElse(lateness(windowMs));
        if (marginMs < 0) {
            throw new IllegalArgumentException("rate-limit.margin must not be negative");
        }
        this.spacingMs = spacing(limit, windowMs, marginMs);
        this.lateNanos = (long) (lateness * 1e6);
        this.maxWaitNanos = settings.maxWait().toNanos();
        this.leaseSize = Math.max(1, settings.leaseSize().orElse((limit + 9) / 10));
        this.waited = waited;
        // Creates the provider's row and prepares the statement now rather than on the first call.
        quotas.lease(provider, 0, spacingMs, 0).subscribe().with(lease -> {}, failure -> {});
    }

    /**
     * How late a permit may still be used, counted from the lease's departure (so the database round trip is part of
     * it): a twentieth of the window, at most 50 ms.
     */
    static double lateness(double windowMs) {
        return Math.min(50.0, windowMs / 20.0);
    }

    /**
     * The time between two permits: the window, the lateness and the margin for delivery jitter shared by `limit`
     * permits.
     */
    static double spacing(int limit, double windowMs, double marginMs) {
        return (windowMs + lateness(windowMs) + marginMs) / limit;
    }

    /** Completes when the call may go; fails with {@link QuotaExceededException} past `max-wait`. */
    Uni<Void> acquire() {
        return Uni.createFrom().emitter(emitter -> {
            Waiter waiter = new Waiter(emitter, System.nanoTime() + maxWaitNanos);
            emitter.onTermination(waiter::end);
            enqueue(waiter, false);
        });
    }

    private void enqueue(Waiter waiter, boolean first) {
        boolean start;
        synchronized (this) {
            if (first) {
                queue.addFirst(waiter);
            } else {
                queue.addLast(waiter);
            }
            start = !leasing;
            leasing = true;
        }
        if (start) {
            lease();
        }
    }

    /** One lease round: for the calls waiting now, bounded by the oldest one's remaining wait. */
    private void lease() {
        int wanted;
        double horizonMs;
        synchronized (this) {
            queue.removeIf(waiter -> !waiter.live());
            if (queue.isEmpty()) {
                leasing = false;
                return;
            }
            wanted = Math.min(queue.size(), leaseSize);
            horizonMs = Math.max(0, queue.peekFirst().deadline - System.nanoTime()) / 1e6;
        }
        long sent = System.nanoTime();
        quotas.lease(provider, wanted, spacingMs, horizonMs)
                .subscribe()
                .with(lease -> leased(lease, sent), this::leaseFailed);
    }

    /**
     * Hands the permits out. The database's moment of a permit is converted to this process's clock from both ends of
     * the round trip: a call goes no earlier than the answer's arrival plus the permit's offset (so never before the
     * moment), and no later than the question's departure plus the offset plus the lateness (so never later than the
     * lateness after it), whatever the round trip took.
     */
    private void leased(QuotaLeases.Lease lease, long asked) {
        long received = System.nanoTime();
        // When the statement left (after the pool gave a connection), if known: the earliest the answer can describe.
        long sent = lease.sentNanos() != 0 && lease.sentNanos() - asked > 0 ? lease.sentNanos() : asked;
        List<Runnable> actions = new ArrayList<>();
        synchronized (this) {
            failing = false;
            if (lease.granted() == 0) {
                // The next free permit is beyond the oldest call's wait: refuse every call that cannot wait for it.
                long next = received + nanos(lease.firstInMs());
                boolean refusedAny = false;
                for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
                    Waiter waiter = it.next();
                    if (!waiter.live()) {
                        it.remove();
                    } else if (waiter.deadline - next < 0) {
                        it.remove();
                        actions.add(waiter::refuse);
                        refusedAny = true;
                    }
                }
                Waiter head = queue.peekFirst();
                if (!refusedAny && head != null) {
                    // Someone else took the permit meanwhile: the call the lease was for still cannot have one.
                    queue.pollFirst();
                    actions.add(head::refuse);
                }
            } else {
                for (int i = 0; i < lease.granted(); i++) {
                    Waiter waiter = pollLive();
                    if (waiter == null) {
                        break; // nobody waits for the rest: they are lost, never handed out again
                    }
                    double offset = lease.firstInMs() + i * spacingMs;
                    long due = received + nanos(offset);
                    long expires = sent + (long) Math.floor(offset * 1e6) + lateNanos;
                    actions.add(() -> schedule(waiter, due, expires));
                }
            }
        }
        actions.forEach(Runnable::run);
        lease();
    }

    private void leaseFailed(Throwable failure) {
        List<Waiter> refused = new ArrayList<>();
        boolean log;
        synchronized (this) {
            long now = System.nanoTime();
            for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (!waiter.live()) {
                    it.remove();
                } else if (waiter.deadline - now < 0) {
                    it.remove();
                    refused.add(waiter);
                }
            }
            log = !failing;
            failing = true;
        }
        if (log) {
            Log.warnf(
                    "Could not lease permits of provider %s from the database (%s); its calls wait up to"
                            + " rate-limit.max-wait and are then skipped (rate limited)",
                    provider, failure.toString());
        }
        refused.forEach(Waiter::refuse);
        quotas.later(RETRY_AFTER_ERROR_MS, this::lease);
    }

    private Waiter pollLive() {
        Waiter waiter;
        while ((waiter = queue.pollFirst()) != null) {
            if (waiter.live()) {
                return waiter;
            }
        }
        return null;
    }

    /** Lets the call go at its permit's moment; a permit that cannot be used in time is lost, and another asked for. */
    private void schedule(Waiter waiter, long due, long expires) {
        long now = System.nanoTime();
        long wait = due - now;
        if (wait > 0) {
            waiter.waited();
            quotas.later(TimeUnit.NANOSECONDS.toMillis(wait + 999_999), () -> schedule(waiter, due, expires));
            return;
        }
        if (now - expires > 0) {
            // Too late for this permit (it is lost): ask for another, unless the call has waited all it may.
            if (now - waiter.deadline > 0) {
                waiter.refuse();
            } else if (waiter.live()) {
                enqueue(waiter, true);
            }
            return;
        }
        waiter.go();
    }

    private static long nanos(double millis) {
        return (long) Math.ceil(millis * 1e6);
    }

    /** A call waiting for a permit. */
    private final class Waiter {
        private final UniEmitter<? super Void> emitter;
        private final long deadline;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicBoolean counted = new AtomicBoolean();

        Waiter(UniEmitter<? super Void> emitter, long deadline) {
            this.emitter = emitter;
            this.deadline = deadline;
        }

        boolean live() {
            return !ended.get();
        }

        /** Cancelled, or answered. */
        void end() {
            ended.set(true);
        }

        void waited() {
            if (counted.compareAndSet(false, true)) {
                waited.run();
            }
        }

        void go() {
            if (ended.compareAndSet(false, true)) {
                emitter.complete(null);
            }
        }

        void refuse() {
            if (ended.compareAndSet(false, true)) {
                waited();
                emitter.fail(new QuotaExceededException());
            }
        }
    }
}
