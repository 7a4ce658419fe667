package dev.cascade.waterfall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task stream's end: records taken on in arrival order where they arrive, their tasks spread over the waterfall's
 * own event loops, requests back on the context the records arrive on.
 */
class TaskSubscriberTest {
    private static final int RECORDS = 200;

    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void oneContextPerLoopOfTheirOwnOrOnePerProcessor() {
        try (TaskLoops two = TaskLoops.start(vertx, 2);
                TaskLoops perProcessor = TaskLoops.start(vertx, 0)) {
            assertThat(two.contexts()).hasSize(2);
            assertThat(perProcessor.contexts()).hasSize(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void recordsAreTakenOnInOrderTasksRunOnTheirOwnLoopsAndRequestsGoBackToTheArrivalLoop() throws Exception {
        Run run;
        try (TaskLoops loops = TaskLoops.start(vertx, 3)) {
            run = deliver(loops.contexts());
        }

        // Three threads of the waterfall's own, none of them one of the process's Vert.x event loops.
        assertThat(run.taskThreads).hasSize(3).allMatch(name -> name.startsWith(TaskLoops.THREAD_PREFIX));
        assertThat(run.onEventLoop.get()).isEqualTo(RECORDS);
        assertThat(run.taskContexts).hasSize(RECORDS);
        assertThat(run.duplicated.get()).isEqualTo(RECORDS);
        assertThat(run.requestThreads).containsExactly(run.arrivalThread);
        assertThat(run.arrivalThread).startsWith("vert.x-eventloop-thread-");
        assertThat(run.takenOn).containsExactly(run.arrivalThread);
        assertThat(run.taken).isEqualTo(inOrder());
    }

    @Test
    void withoutLoopsTasksRunWhereTheirRecordsArrive() throws Exception {
        Run run = deliver(new Context[0]);

        assertThat(run.taskThreads).containsExactly(run.arrivalThread);
        assertThat(run.requestThreads).containsExactly(run.arrivalThread);
    }

    @Test
    void closedLoopsStopTheirThreads() throws Exception {
        TaskLoops loops = TaskLoops.start(vertx, 2);
        // The loops' own threads (other tests' applications in this JVM may have loops of their own).
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch started = new CountDownLatch(2);
        for (Context context : loops.contexts()) {
            context.runOnContext(ignored -> {
                threads.add(Thread.currentThread());
                started.countDown();
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(2).allMatch(Thread::isAlive);

        loops.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().noneMatch(Thread::isAlive));
    }

    private static List<String> inOrder() {
        List<String> records = new ArrayList<>();
        for (int i = 1; i <= RECORDS; i++) {
            records.add("task-" + i);
        }
        return records;
    }

    /** What one delivery of {@link #RECORDS} records saw. */
    private static final class Run {
        final Set<String> taskThreads = ConcurrentHashMap.newKeySet();
        final Set<Context> taskContexts = ConcurrentHashMap.newKeySet();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong onEventLoop = new AtomicLong();
        final Set<String> requestThreads = ConcurrentHashMap.newKeySet();
        final AtomicLong requested = new AtomicLong();
        final Set<String> takenOn = ConcurrentHashMap.newKeySet();
        final List<String> taken = new CopyOnWriteArrayList<>();
        volatile String arrivalThread;
    }

    /**
     * Delivers the records one at a time from an event-loop context of their own (as the connector does), each as soon
     * as the subscriber asks for it; a task ends on a timer of its own context.
     */
    private Run deliver(Context[] loops) throws Exception {
        Run run = new Run();
        CountDownLatch done = new CountDownLatch(RECORDS);
        TaskSubscriber subscriber = new TaskSubscriber(
                8,
                record -> {
                    // Taken on where and in the order the records arrive; the work runs where it is subscribed.
                    run.takenOn.add(Thread.currentThread().getName());
                    run.taken.add(record.getPayload());
                    return Uni.createFrom().deferred(() -> {
                        Context context = Vertx.currentContext();
                        run.taskThreads.add(Thread.currentThread().getName());
                        run.taskContexts.add(context);
                        if (((ContextInternal) context).isDuplicate()) {
                            run.duplicated.incrementAndGet();
                        }
                        if (Context.isOnEventLoopThread() && context.isEventLoopContext()) {
                            run.onEventLoop.incrementAndGet();
                        }
                        return Uni.createFrom()
                                .<Void>emitter(emitter -> vertx.setTimer(1, id -> {
                                    done.countDown();
                                    emitter.complete(null);
                                }));
                    });
                },
                loops);
        Context arrival = ((VertxInternal) vertx).createEventLoopContext();
        AtomicLong sent = new AtomicLong();
        arrival.runOnContext(ignored -> {
            run.arrivalThread = Thread.currentThread().getName();
            subscriber.onSubscribe(new Flow.Subscription() {
                private long demand;
                private boolean emitting;

                @Override
                public void request(long n) {
                    run.requestThreads.add(Thread.currentThread().getName());
                    run.requested.addAndGet(n);
                    demand += n;
                    if (emitting) {
                        return;
                    }
                    emitting = true;
                    while (demand > 0 && sent.get() < RECORDS) {
                        demand--;
                        subscriber.onNext(Message.of("task-" + sent.incrementAndGet()));
                    }
                    emitting = false;
                }

                @Override
                public void cancel() {}
            });
        });
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        // Every finished task asks for one more record: the initial 8 and one per record.
        await().atMost(Duration.ofSeconds(10)).until(() -> run.requested.get() == 8 + RECORDS);
        assertThat(sent.get()).isEqualTo(RECORDS);
        return run;
    }
}
