package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class KernelRandomTest {
    @Test
    void fillsEveryByteWithFreshRandomBytes() {
        byte[] first = new byte[3004];
        byte[] second = new byte[3004];
        KernelRandom.fill(first);
        KernelRandom.fill(second);

        assertThat(first).isNotEqualTo(second);
        assertThat(distinctValues(first)).isGreaterThan(200);
        // No run of zero bytes left unfilled at the end (a short read would leave one).
        assertThat(Arrays.copyOfRange(first, 2972, 3004)).isNotEqualTo(new byte[32]);
    }

    @Test
    void anInterruptedCallerStillReadsTheDeviceAndLeavesItOpenForOthers() throws Exception {
        long fallbacks = KernelRandom.fallbacks();
        byte[] bytes = new byte[256];
        Thread.currentThread().interrupt();
        try {
            KernelRandom.fill(bytes);
        } finally {
            // Cleared again, so that the test runner's thread is left as it was.
            assertThat(Thread.interrupted()).isTrue();
        }
        assertThat(distinctValues(bytes)).isGreaterThan(100);
        byte[] after = new byte[256];
        KernelRandom.fill(after);
        assertThat(after).isNotEqualTo(bytes);
        assertThat(distinctValues(after)).isGreaterThan(100);
        // Both from the device itself: an interrupt closes a FileChannel for every thread, not this stream.
        assertThat(KernelRandom.fallbacks()).isEqualTo(fallbacks);
    }

    @Test
    void aDeviceThatCannotBeReadFallsBackToSecureRandom() throws Exception {
        InputStream closed = new FileInputStream("/dev/null");
        closed.close();
        byte[] bytes = new byte[256];

        KernelRandom.fill(closed, bytes);
        assertThat(distinctValues(bytes)).isGreaterThan(100);

        byte[] none = new byte[256];
        KernelRandom.fill(null, none);
        assertThat(distinctValues(none)).isGreaterThan(100);
    }

    @Test
    void aDeviceAtItsEndFallsBackToo() throws Exception {
        // /dev/null reads as end of file at once.
        try (InputStream empty = new FileInputStream("/dev/null")) {
            byte[] bytes = new byte[256];
            KernelRandom.fill(empty, bytes);
            assertThat(distinctValues(bytes)).isGreaterThan(100);
        }
    }

    private static long distinctValues(byte[] bytes) {
        boolean[] seen = new boolean[256];
        long distinct = 0;
        for (byte b : bytes) {
            if (!seen[b & 0xFF]) {
                seen[b & 0xFF] = true;
                distinct++;
            }
        }
        return distinct;
    }
}
