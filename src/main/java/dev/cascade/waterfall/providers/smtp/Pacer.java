package dev.cascade.waterfall.providers.smtp;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Keeps the verifier gentle with other people's mail servers: per key (a domain, an MX host) at most
 * {@code concurrency} conversations at once and at least {@code interval} between two starts. A caller waits for its
 * turn without blocking a thread, at most {@code maxWait}; then it gets {@link Busy} and the lookup gives up rather
 * than queue past the task deadline. Gates idle for ten minutes are forgotten.
 */
final class Pacer {
    /** The wait for a turn ran out. */
    static final class Busy extends RuntimeException {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final int concurrency;
    private final long intervalNanos;
    private final long maxWaitMs;
    private final String what;
    private final Cache<String, Gate> gates =
            Caffeine.newBuilder().expireAfterAccess(10, TimeUnit.MINUTES).build();

    Pacer(Vertx vertx, String what, int concurrency, Duration interval, Duration maxWait) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("smtp.pacing concurrency must be at least 1");
        }
        this.vertx = vertx;
        this.what = what;
        this.concurrency = concurrency;
        this.intervalNanos = interval.toNanos();
        this.maxWaitMs = Math.max(1, maxWait.toMillis());
    }

    /** Runs {@code work} when the key's turn comes, and frees the turn when it has finished, failed or been cancelled. */
    <T> Uni<T> paced(String key, Supplier<Uni<T>> work) {
        Gate gate = gates.get(key, k -> new Gate());
        AtomicBoolean held = new AtomicBoolean();
        AtomicBoolean gone = new AtomicBoolean();
        return Uni.createFrom()
                .<Boolean>emitter(emitter -> {
                    Waiter waiter = new Waiter(
                            () -> {
                                if (gone.get()) {
                                    return false;
                                }
                                held.set(true);
                                emitter.complete(Boolean.TRUE);
                                return true;
                            },
                            emitter::fail);
                    emitter.onTermination(() -> {
                        gone.set(true);
                        gate.forget(waiter);
                    });
                    gate.enqueue(waiter);
                })
                .chain(started -> work.get())
                .onTermination()
                .invoke(() -> {
                    if (held.compareAndSet(true, false)) {
                        gate.release();
                    }
                });
    }

    /** One caller waiting for its turn; {@code start} answers false when the caller has gone meanwhile. */
    private static final class Waiter {
        private final BooleanSupplier start;
        private final Consumer<Throwable> giveUp;
        private long expiry = -1;

        Waiter(BooleanSupplier start, Consumer<Throwable> giveUp) {
            this.start = start;
            this.giveUp = giveUp;
        }
    }

    private final class Gate {
        private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
        private int running;
        private long nextStart = System.nanoTime();
        private long timer = -1;

        void enqueue(Waiter waiter) {
            synchronized (this) {
                waiting.add(waiter);
                waiter.expiry = vertx.setTimer(maxWaitMs, id -> expire(waiter));
            }
            pump();
        }

        synchronized void forget(Waiter waiter) {
            if (waiting.remove(waiter)) {
                vertx.cancelTimer(waiter.expiry);
            }
        }

        private void expire(Waiter waiter) {
            boolean removed;
            synchronized (this) {
                removed = waiting.remove(waiter);
            }
            if (removed) {
                waiter.giveUp.accept(new Busy(what + " busy"));
            }
        }

        void release() {
            synchronized (this) {
                running--;
            }
            pump();
        }

        private void pump() {
            List<Waiter> starting = new ArrayList<>();
            synchronized (this) {
                while (!waiting.isEmpty() && running < concurrency) {
                    long now = System.nanoTime();
                    if (now < nextStart) {
                        if (timer < 0) {
                            long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextStart - now) + 1);
                            timer = vertx.setTimer(delayMs, id -> {
                                synchronized (this) {
                                    timer = -1;
                                }
                                pump();
                            });
                        }
                        break;
                    }
                    Waiter waiter = waiting.poll();
                    vertx.cancelTimer(waiter.expiry);
                    running++;
                    nextStart = now + intervalNanos;
                    starting.add(waiter);
                }
            }
            boolean freed = false;
            for (Waiter waiter : starting) {
                if (!waiter.start.getAsBoolean()) {
                    synchronized (this) {
                        running--;
                    }
                    freed = true;
                }
            }
            if (freed) {
                pump();
            }
        }
    }
}
