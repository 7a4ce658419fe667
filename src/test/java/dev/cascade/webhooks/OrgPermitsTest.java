package dev.cascade.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.Test;

/** The per-organisation limiter around the webhook DNS lookups. */
class OrgPermitsTest {
    private final List<UniEmitter<? super String>> running = new ArrayList<>();
    private final AtomicInteger waits = new AtomicInteger();

    private Uni<String> work() {
        return Uni.createFrom().emitter(running::add);
    }

    @Test
    void anOrganisationWaitsBeyondItsPermitsWhileAnotherGoesAhead() {
        OrgPermits permits = new OrgPermits(2);
        UUID busy = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        var first = permits.run(busy, waits::incrementAndGet, this::work)
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        permits.run(busy, waits::incrementAndGet, this::work).subscribe().withSubscriber(UniAssertSubscriber.create());
        var third = permits.run(busy, waits::incrementAndGet, this::work)
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        permits.run(other, waits::incrementAndGet, this::work).subscribe().withSubscriber(UniAssertSubscriber.create());

        assertThat(running).hasSize(3);
        assertThat(waits).hasValue(1);

        running.get(0).complete("done");
        first.assertItem("done");
        // The freed permit went to the waiter, in order.
        assertThat(running).hasSize(4);
        running.get(3).complete("third");
        third.assertItem("third");
    }

    @Test
    void aFailedOrCancelledOperationGivesItsPermitBack() {
        OrgPermits permits = new OrgPermits(1);
        UUID org = UUID.randomUUID();
        permits.run(org, waits::incrementAndGet, this::work).subscribe().withSubscriber(UniAssertSubscriber.create());
        var waiting = permits.run(org, waits::incrementAndGet, this::work)
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        waiting.cancel();
        var next = permits.run(org, waits::incrementAndGet, this::work)
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());

        running.get(0).fail(new IllegalStateException("lookup failed"));
        // The cancelled waiter handed its turn on: the next one runs.
        assertThat(running).hasSize(2);
        running.get(1).complete("ok");
        next.assertItem("ok");
        assertThat(permits.organisations()).isZero();
    }
}
