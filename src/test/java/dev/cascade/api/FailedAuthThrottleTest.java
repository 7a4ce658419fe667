package dev.cascade.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The token bucket behind the operator API's throttle on wrong tokens (issue 12, item 3). */
class FailedAuthThrottleTest {
    private static final long PERIOD = Duration.ofSeconds(6).toNanos();

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private FailedAuthThrottle throttle(int burst, int maxTracked) {
        return new FailedAuthThrottle(burst, PERIOD, maxTracked, now::get);
    }

    /** A wrong token: an attempt taken and not given back. */
    private static long fail(FailedAuthThrottle throttle, String client) {
        return throttle.acquire(client);
    }

    @Test
    void aClientIsRefusedAfterBurstWrongTokensWithTheTimeUntilTheNextAttempt() {
        FailedAuthThrottle throttle = throttle(3, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(fail(throttle, "203.0.113.7")).isZero();
        }

        assertThat(throttle.acquire("203.0.113.7")).isEqualTo(6);
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(throttle.acquire("203.0.113.7")).isEqualTo(2);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(throttle.acquire("203.0.113.7")).isZero();
        assertThat(throttle.acquire("203.0.113.7")).isEqualTo(6);
    }

    @Test
    void theRightTokenGivesItsAttemptBack() {
        FailedAuthThrottle throttle = throttle(3, 100);
        for (int i = 0; i < 100; i++) {
            assertThat(throttle.acquire("203.0.113.7")).isZero();
            throttle.refund("203.0.113.7");
        }
        assertThat(throttle.remaining("203.0.113.7")).isEqualTo(3);
        // A full bucket is not kept.
        assertThat(throttle.tracked()).isZero();
    }

    @Test
    void otherClientsAreNotAffected() {
        FailedAuthThrottle throttle = throttle(2, 100);
        fail(throttle, "203.0.113.7");
        fail(throttle, "203.0.113.7");

        assertThat(throttle.acquire("203.0.113.7")).isPositive();
        assertThat(throttle.acquire("203.0.113.8")).isZero();
    }

    @Test
    void anIpv6ClientIsCountedPerSlash64AndMappedIpv4AsIpv4() {
        FailedAuthThrottle throttle = throttle(2, 100);
        fail(throttle, "2001:db8:1:2::1");
        fail(throttle, "2001:db8:1:2:ffff::99");
        assertThat(throttle.acquire("[2001:db8:1:2::abcd]")).isPositive();
        assertThat(throttle.acquire("2001:db8:1:3::1")).isZero();

        fail(throttle, "::ffff:198.51.100.1");
        fail(throttle, "198.51.100.1");
        assertThat(throttle.acquire("198.51.100.1")).isPositive();
    }

    @Test
    void beyondMaxTrackedNewAddressesShareOneBucket() {
        FailedAuthThrottle throttle = throttle(2, 2);
        fail(throttle, "192.0.2.1");
        fail(throttle, "192.0.2.2");

        // The table is full of clients with failures: every new address spends the overflow bucket's attempts.
        assertThat(throttle.acquire("192.0.2.3")).isZero();
        assertThat(throttle.acquire("192.0.2.4")).isZero();
        assertThat(throttle.acquire("192.0.2.5")).isPositive();
        assertThat(throttle.tracked()).isLessThanOrEqualTo(3);

        // Once the tracked clients' buckets refill, they are dropped and new addresses get their own again.
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        assertThat(throttle.acquire("192.0.2.6")).isZero();
        assertThat(throttle.remaining("192.0.2.6")).isEqualTo(1);
    }
}
