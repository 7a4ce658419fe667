package dev.cascade.accounts;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.StreamLimits;

/**
 * Open progress streams per API key and per organisation in this process, within the caps of
 * {@code cascade.stream.limits}: a stream takes a {@link Slot} before its first byte and gives it back when it ends,
 * however it ends. Counted in memory per process (a stream lives on one process's connection, and nothing needs to be
 * written or renewed while it is open); {@code cascade_stream_open} and {@code cascade_stream_refused_total} show it.
 */
@ApplicationScoped
public class StreamSlots {
    private final ConcurrentMap<UUID, Integer> perKey = new ConcurrentHashMap<>();
    private final ConcurrentMap<UUID, Integer> perOrganization = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final StreamLimits limits;
    private final Counter refusedForKey;
    private final Counter refusedForOrganization;

    public StreamSlots(CascadeConfig config, MeterRegistry meters) {
        this.limits = config.stream().limits();
        Gauge.builder("cascade.stream.open", open, AtomicInteger::get)
                .description("Progress streams (SSE) open in this process")
                .register(meters);
        this.refusedForKey = refused(meters, "key");
        this.refusedForOrganization = refused(meters, "organization");
    }

    private static Counter refused(MeterRegistry meters, String limit) {
        return Counter.builder("cascade.stream.refused")
                .description("Progress streams refused with 429 because the key or organisation had its cap open")
                .tag("limit", limit)
                .register(meters);
    }

    /** One open stream's hold on its key's and organisation's caps; releasing twice releases once. */
    public final class Slot {
        private final Principal principal;
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Slot(Principal principal) {
            this.principal = principal;
        }

        public void release() {
            if (held.compareAndSet(true, false)) {
                decrement(perKey, principal.keyId());
                decrement(perOrganization, principal.orgId());
                open.decrementAndGet();
            }
        }
    }

    /** A slot for one more stream of this key, or null (counted as refused) when the key or organisation is full. */
    public Slot acquire(Principal principal) {
        if (!increment(perKey, principal.keyId(), limits.perKey())) {
            refusedForKey.increment();
            return null;
        }
        if (!increment(perOrganization, principal.orgId(), limits.perOrganization())) {
            decrement(perKey, principal.keyId());
            refusedForOrganization.increment();
            return null;
        }
        open.incrementAndGet();
        return new Slot(principal);
    }

    /** Adds one to the count unless it is at the cap; the map's per-entry atomicity makes check and add one step. */
    private static boolean increment(ConcurrentMap<UUID, Integer> counts, UUID id, int cap) {
        boolean[] taken = {false};
        counts.compute(id, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= cap) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Entries at zero are removed, so the maps hold only keys and organisations with open streams. */
    private static void decrement(ConcurrentMap<UUID, Integer> counts, UUID id) {
        counts.computeIfPresent(id, (k, n) -> n <= 1 ? null : n - 1);
    }
}
