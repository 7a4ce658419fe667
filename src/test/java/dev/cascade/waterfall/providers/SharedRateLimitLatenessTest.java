package dev.cascade.waterfall.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.cascade.config.ProviderRateLimit;

/**
 * A permit is used at its moment or never: when the lease's answer arrives later than the permit's lateness, the
 * call does not go on it (it asks again, and is refused once it has waited all it may); a prompt answer lets it go.
 */
class SharedRateLimitLatenessTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Grants every permit asked for, due at once, answering after {@code answerMs}. */
    private final class DelayedLeases implements QuotaLeases {
        private final long answerMs;
        private final AtomicInteger leases = new AtomicInteger();

        DelayedLeases(long answerMs) {
            this.answerMs = answerMs;
        }

        @Override
        public Uni<Lease> lease(String provider, int wanted, double spacingMs, double horizonMs) {
            if (wanted > 0) {
                leases.incrementAndGet();
            }
            return Uni.createFrom()
                    .item(new Lease(wanted, 0, 0))
                    .onItem()
                    .delayIt()
                    .onExecutor(timer)
                    .by(Duration.ofMillis(answerMs));
        }

        @Override
        public void later(long delayMs, Runnable action) {
            timer.schedule(action, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aPermitThatArrivesLaterThanItsLatenessIsNeverUsed() {
        DelayedLeases slow = new DelayedLeases(200); // the lateness of a 1 s window is 50 ms
        SharedRateLimit limit = new SharedRateLimit("slow", settings(Duration.ofMillis(600)), slow, () -> {});
        Throwable refused = limit.acquire()
                .map(ignored -> (Throwable) null)
                .onFailure()
                .recoverWithItem(failure -> failure)
                .await()
                .atMost(Duration.ofSeconds(10));
        assertThat(refused).isInstanceOf(QuotaExceededException.class);
        // It asked again after each lost permit, and stopped once its wait was over.
        assertThat(slow.leases.get()).isBetween(2, 5);
    }

    @Test
    void aPromptPermitLetsTheCallGo() {
        SharedRateLimit limit =
                new SharedRateLimit("prompt", settings(Duration.ofMillis(600)), new DelayedLeases(2), () -> {});
        limit.acquire().await().atMost(Duration.ofSeconds(10));
    }

    private static ProviderRateLimit settings(Duration maxWait) {
        return new ProviderRateLimit() {
            @Override
            public Optional<Integer> limit() {
                return Optional.of(10);
            }

            @Override
            public Duration window() {
                return Duration.ofSeconds(1);
            }

            @Override
            public Duration maxWait() {
                return maxWait;
            }

            @Override
            public Optional<Duration> margin() {
                return Optional.empty();
            }

            @Override
            public Optional<Integer> leaseSize() {
                return Optional.empty();
            }
        };
    }
}
