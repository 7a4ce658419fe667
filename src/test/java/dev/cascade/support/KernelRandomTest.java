package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    void aDeviceThatCannotBeReadFallsBackToSecureRandom() throws Exception {
        FileChannel closed = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ);
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
        try (FileChannel empty = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ)) {
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
