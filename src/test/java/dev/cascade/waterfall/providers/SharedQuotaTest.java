package dev.cascade.waterfall.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import dev.cascade.config.ProviderRateLimit;

/**
 * The shared vendor quota against the real database (issue 13 item 11): leases taken at once by many callers never
 * hand out the same moment twice nor two moments closer than the spacing, never a moment in the past nor beyond the
 * horizon; and two limiters standing for two gateway processes, drawing on one provider's quota, together let no more
 * than `limit` calls go in any window, however the window is placed.
 */
@QuarkusTest
class SharedQuotaTest {
    @Inject
    QuotaLeases quotas;

    @Test
    void concurrentLeasesNeverOverlapNorReachBeyondTheirHorizon() {
        String provider = "lease-" + UUID.randomUUID();
        double spacing = 20;
        double horizon = 400;
        ConcurrentLinkedQueue<QuotaLeases.Lease> leases = new ConcurrentLinkedQueue<>();
        // Eight callers at once, each leasing until the horizon is used up (what two busy processes would do).
        Uni.join()
                .all(IntStream.range(0, 8)
                        .mapToObj(caller -> leaseUntilRefused(provider, spacing, horizon, leases))
                        .toList())
                .andFailFast()
                .await()
                .atMost(Duration.ofSeconds(30));

        List<Double> moments = new ArrayList<>();
        for (QuotaLeases.Lease lease : leases) {
            assertThat(lease.firstInMs()).isGreaterThanOrEqualTo(0);
            if (lease.granted() > 0) {
                assertThat(lease.firstInMs() + (lease.granted() - 1) * spacing).isLessThanOrEqualTo(horizon + 1e-6);
                for (int i = 0; i < lease.granted(); i++) {
                    moments.add(lease.firstAtMs() + i * spacing);
                }
            }
        }
        Collections.sort(moments);
        assertThat(moments).hasSizeGreaterThan(10);
        for (int i = 1; i < moments.size(); i++) {
            assertThat(moments.get(i) - moments.get(i - 1)).isGreaterThanOrEqualTo(spacing - 1e-6);
        }
    }

    private Uni<Void> leaseUntilRefused(
            String provider, double spacing, double horizon, ConcurrentLinkedQueue<QuotaLeases.Lease> leases) {
        int wanted = ThreadLocalRandom.current().nextInt(1, 6);
        return quotas.lease(provider, wanted, spacing, horizon).chain(lease -> {
            leases.add(lease);
            return lease.granted() == 0
                    ? Uni.createFrom().voidItem()
                    : leaseUntilRefused(provider, spacing, horizon, leases);
        });
    }

    @Test
    void aLeaseWithoutHorizonGetsOnlyAPermitDueNow() {
        String provider = "now-" + UUID.randomUUID();
        QuotaLeases.Lease first = quotas.lease(provider, 3, 1000, 0).await().atMost(Duration.ofSeconds(10));
        assertThat(first.granted()).isEqualTo(1);
        assertThat(first.firstInMs()).isZero();
        // The next permit is a second away: nothing now, and the answer says how far the next one is.
        QuotaLeases.Lease second = quotas.lease(provider, 3, 1000, 0).await().atMost(Duration.ofSeconds(10));
        assertThat(second.granted()).isZero();
        assertThat(second.firstInMs()).isGreaterThan(0).isLessThanOrEqualTo(1000);
        assertThat(second.firstAtMs()).isEqualTo(first.firstAtMs() + 1000);
    }

    @Test
    void twoProcessesTogetherNeverGoBeyondTheLimitInAnyWindow() {
        String provider = "shared-" + UUID.randomUUID();
        ProviderRateLimit settings = settings(5, Duration.ofMillis(500), Duration.ofSeconds(20));
        SharedRateLimit first = new SharedRateLimit(provider, settings, quotas, () -> {});
        SharedRateLimit second = new SharedRateLimit(provider, settings, quotas, () -> {});
        ConcurrentLinkedQueue<Long> went = new ConcurrentLinkedQueue<>();
        // 40 calls at once, half through each process: four windows' worth, twice what one window allows.
        List<Uni<Void>> calls = IntStream.range(0, 40)
                .mapToObj(i -> (i % 2 == 0 ? first : second).acquire().invoke(() -> went.add(System.nanoTime())))
                .toList();
        Uni.join().all(calls).andFailFast().await().atMost(Duration.ofSeconds(30));

        List<Long> moments = new ArrayList<>(went);
        Collections.sort(moments);
        assertThat(moments).hasSize(40);
        long window = Duration.ofMillis(500).toNanos();
        for (int i = 5; i < moments.size(); i++) {
            // Any six consecutive calls span at least a window: never six within one, wherever it starts.
            assertThat(moments.get(i) - moments.get(i - 5)).isGreaterThanOrEqualTo(window - 1_000_000);
        }
    }

    @Test
    void aCallThatCannotHaveAPermitWithinItsWaitIsRefused() {
        String provider = "refused-" + UUID.randomUUID();
        SharedRateLimit limit =
                new SharedRateLimit(provider, settings(1, Duration.ofSeconds(10), Duration.ZERO), quotas, () -> {});
        limit.acquire().await().atMost(Duration.ofSeconds(10));
        Optional<Throwable> refused = limit.acquire()
                .map(ignored -> Optional.<Throwable>empty())
                .onFailure()
                .recoverWithItem(Optional::of)
                .await()
                .atMost(Duration.ofSeconds(10));
        assertThat(refused).get().isInstanceOf(QuotaExceededException.class);
    }

    private static ProviderRateLimit settings(int limit, Duration window, Duration maxWait) {
        return new ProviderRateLimit() {
            @Override
            public Optional<Integer> limit() {
                return Optional.of(limit);
            }

            @Override
            public Duration window() {
                return window;
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
                return Optional.of(3);
            }
        };
    }
}
