package dev.cascade.support;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.quarkus.logging.Log;

/**
 * Random bytes from the kernel's cryptographic generator ({@code /dev/urandom}), read directly: one read per call.
 * The JDK's default {@link SecureRandom} on Linux (NativePRNG) reads the same device and then mixes every byte with
 * a SHA1PRNG of its own, under a lock; for a submit's 3,004 bytes of task ids that took 105-138 µs on this kind of
 * machine (C1-compiled, as the gateway runs) against 7-13 µs for the read alone (docs/performance.md). Where the
 * device cannot be read (another operating system, a sandbox), it falls back to {@link SecureRandom}, with a warning
 * the first time.
 *
 * <p>A plain {@link FileInputStream}, not a {@code FileChannel}: a channel is closed for every thread when one thread
 * reading it is interrupted, a stream's read is not interruptible. Concurrent reads of the device need no lock.
 */
final class KernelRandom {
    private static final String DEVICE = "/dev/urandom";
    private static final InputStream URANDOM = open();
    private static final SecureRandom FALLBACK = new SecureRandom();
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final AtomicLong FALLBACKS = new AtomicLong();

    private KernelRandom() {}

    /** Fills {@code bytes} with random bytes. */
    static void fill(byte[] bytes) {
        fill(URANDOM, bytes);
    }

    /** From {@code device}, or from {@link SecureRandom} when it is null or cannot be read. */
    static void fill(InputStream device, byte[] bytes) {
        if (device != null) {
            try {
                int filled = 0;
                while (filled < bytes.length) {
                    int read = device.read(bytes, filled, bytes.length - filled);
                    if (read < 0) {
                        throw new IOException("end of " + DEVICE);
                    }
                    filled += read;
                }
                return;
            } catch (IOException failed) {
                FALLBACKS.incrementAndGet();
                if (WARNED.compareAndSet(false, true)) {
                    Log.warnf("Reading %s failed (%s); task ids come from SecureRandom", DEVICE, failed.getMessage());
                }
            }
        }
        FALLBACK.nextBytes(bytes);
    }

    /** How many reads of a device failed over to {@link SecureRandom} so far. */
    static long fallbacks() {
        return FALLBACKS.get();
    }

    private static InputStream open() {
        try {
            return new FileInputStream(DEVICE);
        } catch (IOException | SecurityException unavailable) {
            return null;
        }
    }
}
