package dev.cascade.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

import io.quarkus.logging.Log;

/**
 * Random bytes from the kernel's cryptographic generator ({@code /dev/urandom}), read directly: one read per call.
 * The JDK's default {@link SecureRandom} on Linux (NativePRNG) reads the same device and then mixes every byte with
 * a SHA1PRNG of its own, under a lock; for a submit's 3,004 bytes of task ids that took 105-138 µs on this kind of
 * machine (C1-compiled, as the gateway runs) against 7-13 µs for the read alone (docs/performance.md). Where the
 * device cannot be read (another operating system, a sandbox), it falls back to {@link SecureRandom}.
 */
final class KernelRandom {
    private static final Path DEVICE = Path.of("/dev/urandom");
    private static final FileChannel URANDOM = open();
    private static final SecureRandom FALLBACK = new SecureRandom();

    private KernelRandom() {}

    /** Fills {@code bytes} with random bytes. */
    static void fill(byte[] bytes) {
        fill(URANDOM, bytes);
    }

    /** From {@code device}, or from {@link SecureRandom} when it is null or cannot be read. */
    static void fill(FileChannel device, byte[] bytes) {
        if (device != null) {
            try {
                ByteBuffer target = ByteBuffer.wrap(bytes);
                while (target.hasRemaining()) {
                    if (device.read(target) < 0) {
                        throw new IOException("end of " + DEVICE);
                    }
                }
                return;
            } catch (IOException failed) {
                Log.debugf("Reading %s failed (%s); using SecureRandom", DEVICE, failed.getMessage());
            }
        }
        FALLBACK.nextBytes(bytes);
    }

    private static FileChannel open() {
        try {
            return FileChannel.open(DEVICE, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException | SecurityException unavailable) {
            return null;
        }
    }
}
