package dev.cascade.waterfall;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.spi.transport.Transport;

/**
 * The event loops the waterfall's tasks run on: a group of their own, apart from the Vert.x event loops that serve
 * HTTP, deliver the consumers' records, run the aggregator's settles and take the database's answers.
 *
 * <p>A submit's 250 task records arrive at once. Run on the process's own event loops, the tasks queued in front of
 * everything else those loops do: a result batch waiting to be settled, the answer to a settle's statement, a status
 * read. On their own loops they are still event-loop work (non-blocking, on Vert.x contexts, each task on a duplicated
 * context of its own), but the operating system shares the cores between them and the rest, so the latency-bound work
 * is no longer behind a burst of tasks. Their threads are Vert.x threads of the same transport, so the clients the
 * tasks use (vendor HTTP calls, database statements) run on them as on any event loop; they are not watched by Vert.x's
 * blocked-thread checker, which only knows the threads Vert.x made.
 */
final class TaskLoops implements AutoCloseable {
    /** The threads' name prefix: what a thread dump or profile shows. */
    static final String THREAD_PREFIX = "cascade-task-loop-";

    private final EventLoopGroup group;
    private final Context[] contexts;

    private TaskLoops(EventLoopGroup group, Context[] contexts) {
        this.group = group;
        this.contexts = contexts;
    }

    /**
     * {@code count} event loops of their own, each with one event-loop context; 0 or less: as many as the JVM has
     * processors.
     */
    static TaskLoops start(Vertx vertx, int count) {
        int loops = count > 0 ? count : Runtime.getRuntime().availableProcessors();
        VertxInternal internal = (VertxInternal) vertx;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        EventLoopGroup group = internal.transport()
                .eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, loops, threads(internal, loader), 50);
        Context[] contexts = new Context[loops];
        int i = 0;
        for (EventExecutor executor : group) {
            contexts[i++] = internal.createEventLoopContext((EventLoop) executor, null, loader);
        }
        return new TaskLoops(group, contexts);
    }

    private static ThreadFactory threads(VertxInternal vertx, ClassLoader loader) {
        AtomicInteger next = new AtomicInteger();
        long maxExecTime = vertx.maxEventLoopExecTime();
        TimeUnit unit = vertx.maxEventLoopExecTimeUnit();
        return runnable -> {
            // An event-loop thread to Vert.x (not a worker), so the tasks' clients and Quarkus treat it as one.
            VertxThread thread =
                    new VertxThread(runnable, THREAD_PREFIX + next.getAndIncrement(), false, maxExecTime, unit);
            thread.setContextClassLoader(loader);
            // Nothing may keep the JVM up: the drain has finished every task before the loops are closed.
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One event-loop context per loop, in the group's order. */
    Context[] contexts() {
        return contexts.clone();
    }

    /** Stops the loops at once; whatever is still queued on them is dropped (the drain ran before). */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
