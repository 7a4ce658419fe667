package dev.cascade.intake;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.support.Json;
import dev.cascade.support.KafkaSettings;
import dev.cascade.telemetry.TraceHeaders;
import dev.cascade.telemetry.Tracing;

/**
 * Publishes task records, one per contact, keyed by workflow id; completes when the broker acknowledged them all.
 *
 * <p>A submit publishes up to 250 records at once, so this talks to a plain Kafka producer instead of going through a
 * reactive-messaging emitter: one message object, metadata copy, context capture and ack stage per record cost more
 * CPU than the broker's own work. The records are handed to the producer on one sending thread of its own (a send
 * may block while the producer fetches metadata or its buffer is full, which must never happen on an event loop),
 * and the caller is resumed on its own Vert.x context once the last acknowledgement arrived. Guarantees are those of
 * the former channel: {@code acks=all} with idempotence, and a submit is answered only after every record was acked.
 *
 * <p>A submit's `started` lifecycle record rides on the same producer after its task records, but only while the
 * workflows topic is known to take records: a send to a topic the producer has no metadata for blocks the sending
 * thread (up to {@code max.block.ms}) and every submit queued behind it. The topic's metadata is loaded at start by a
 * {@link TopicProbe} on a thread of its own, and loaded again, the same way, after a `started` record was refused;
 * meanwhile {@link Started#NOT_SENT} tells the caller to send the record through its channel instead.
 */
@ApplicationScoped
@Startup
class TaskPublisher {
    /**
     * Jobs waiting for the sending thread: a submit queues two (its preparation, then its publish), so this lets 64
     * submits wait as before. Beyond it a publish is refused at once (the sweeper publishes it later) and a preparation
     * is skipped (the publish serialises its records itself).
     */
    private static final int QUEUED_JOBS = 128;
    /** How long after a failed probe of the workflows topic the next one runs. */
    private static final Duration PROBE_RETRY = Duration.ofSeconds(5);
    /** How long shutdown lets queued sends reach the producer before it is closed. */
    private static final Duration DRAIN = Duration.ofSeconds(5);

    /** What became of a submit's `started` record by the time its task records were all acknowledged. */
    enum Started {
        /** Acknowledged: the dispatch confirmation marks it in the same write. */
        ACKED,
        /** Still in flight: its acknowledgement, when it comes, is confirmed on its own. */
        IN_FLIGHT,
        /** Refused by the broker: counted, logged, and left to its sweep ({@link StartedLifecycle}). */
        REFUSED,
        /**
         * Not sent on this producer: none was given, or the workflows topic is not known to take records yet. The
         * caller sends it through the `workflows-out` channel.
         */
        NOT_SENT
    }

    private final Producer<String, byte[]> producer;
    private final ExecutorService sending;
    private final IntakeRecords records;
    private final KafkaClientMetrics metrics;
    private final Duration deadline;
    private final Tracing tracing;
    private final Consumer<String> lateStarted;
    private final Counter startedDeferred;
    private final TopicProbe startedTopic;
    private final BatchRelease release;

    @Inject
    TaskPublisher(
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            CascadeConfig config,
            Json json,
            MeterRegistry meters,
            Tracing tracing,
            DispatchConfirmations confirmations) {
        this(
                new KafkaProducer<>(
                        producerConfig(kafka, config.intake()), new StringSerializer(), new ByteArraySerializer()),
                config.topics().tasks(),
                config.topics().workflows(),
                config.intake().dispatchTimeout(),
                json,
                meters,
                tracing,
                workflowId ->
                        confirmations.confirmStarted(workflowId).subscribe().with(confirmed -> {}, failure -> {}),
                true);
    }

    /**
     * Over any producer (tests give a {@code MockProducer}); {@code lateStarted} is told of a `started` record the
     * broker acknowledged after its dispatch had been answered. With {@code releaseBatches}, a submit's records are
     * sent as soon as the sending thread has handed them all over and has no other publish queued ({@link BatchRelease}),
     * else when the producer's linger runs out.
     */
    TaskPublisher(
            Producer<String, byte[]> producer,
            String topic,
            String workflowsTopic,
            Duration deadline,
            Json json,
            MeterRegistry meters,
            Tracing tracing,
            Consumer<String> lateStarted,
            boolean releaseBatches) {
        this.tracing = tracing;
        this.records = new IntakeRecords(json, topic, workflowsTopic);
        this.producer = producer;
        this.lateStarted = lateStarted;
        this.startedDeferred = StartedLifecycle.deferredCounter(meters);
        this.metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(meters);
        // One sending thread with a bounded queue: while the broker is away a send may block (up to the dispatch
        // timeout); submits beyond the queue are refused at once and left to the dispatch sweeper.
        this.sending = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUED_JOBS), runnable -> {
                    Thread thread = new Thread(runnable, "cascade-task-producer");
                    thread.setDaemon(true);
                    return thread;
                });
        this.deadline = deadline;
        this.startedTopic = new TopicProbe(producer, workflowsTopic, PROBE_RETRY);
        this.release = releaseBatches ? new BatchRelease(producer, "cascade-task-release") : BatchRelease.off();
    }

    /** Whether a submit's `started` record goes on this producer now; false until the workflows topic is probed. */
    boolean startedWritable() {
        return startedTopic.ready();
    }

    /** The shared broker settings (address, security) plus what task records need; unknown keys are left out. */
    static Map<String, Object> producerConfig(Map<String, Object> kafka, CascadeConfig.Intake intake) {
        Map<String, Object> config =
                KafkaSettings.producer(kafka, "cascade-tasks-" + Long.toHexString(System.nanoTime()));
        config.put(
                ProducerConfig.LINGER_MS_CONFIG, (int) intake.producerLinger().toMillis());
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, intake.producerBatchBytes());
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, intake.producerBufferBytes());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int)
                intake.dispatchTimeout().toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)
                intake.dispatchTimeout().toMillis());
        // Kafka wants delivery.timeout >= linger + request.timeout: a request may take half of the whole bound.
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Math.max(1, intake.dispatchTimeout().toMillis() / 2));
        return config;
    }

    /**
     * Task records being made ready to send (serialised, CloudEvents headers set) on the sending thread, so that a
     * submit can have that done while its statement runs in PostgreSQL ({@link IntakeService}); {@link #publish}
     * sends them. Should the preparation fail or be refused (the sending queue is full), the publish serialises the
     * records itself.
     */
    record Prepared(List<TaskRecord> tasks, CompletableFuture<List<ProducerRecord<String, byte[]>>> records) {}

    /** Starts preparing the records on the sending thread; nothing is sent until {@link #publish}. */
    Prepared prepare(List<TaskRecord> tasks) {
        CompletableFuture<List<ProducerRecord<String, byte[]>>> records = new CompletableFuture<>();
        try {
            sending.execute(() -> {
                try {
                    records.complete(this.records.tasks(tasks));
                } catch (JsonProcessingException | RuntimeException failed) {
                    records.completeExceptionally(failed);
                }
            });
        } catch (RuntimeException rejected) {
            records.completeExceptionally(rejected);
        }
        return new Prepared(tasks, records);
    }

    /**
     * Publishes the records and, when {@code started} is given and the workflows topic is known to take records, the
     * workflow's `started` lifecycle record on `enrichment.workflows` after them, on the same producer (with one
     * broker leading both topics' partitions, one produce request carries both). Completes when the broker
     * acknowledged every task record within the dispatch deadline, and fails otherwise (a {@code TimeoutException}
     * once the deadline passed: the caller needs no timeout of its own, and must not add one); the `started` record
     * never holds the answer back nor fails it: the answer says what became of it by then ({@link Started}), and an
     * acknowledgement that comes later goes to {@code lateStarted}. {@code dispatched} is told the same outcome once,
     * just before the answer, whether or not the caller still waits for it (cancelling only stops listening): what
     * must follow a dispatch goes there. With tracing on, one `publish enrichment.tasks` span under {@code parent}
     * (the submit, or the workflow's stored trace context when the sweeper re-publishes) covers the task records until
     * the last acknowledgement, and each of them carries its context in `traceparent`.
     */
    Uni<Started> publish(
            Prepared prepared,
            WorkflowEvent started,
            io.opentelemetry.context.Context parent,
            Consumer<Started> dispatched) {
        List<TaskRecord> tasks = prepared.tasks();
        if (tasks.isEmpty()) {
            // Nothing to send (a stalled workflow without a lost task): dispatched at once.
            return Uni.createFrom().item(Started.NOT_SENT).invoke(dispatched);
        }
        Context caller = Vertx.currentContext();
        Span span;
        io.opentelemetry.context.Context trace;
        if (parent == null) {
            span = null;
            trace = null;
        } else {
            span = tracing.messaging("publish", SpanKind.PRODUCER, records.topic(), parent);
            span.setAttribute(Tracing.WORKFLOW_ID, tasks.get(0).workflowId());
            span.setAttribute(Tracing.BATCH_COUNT, (long) tasks.size());
            trace = parent.with(span);
        }
        return Uni.createFrom().emitter(emitter -> {
            // Only the task records count: the answer never waits for the `started` record.
            AtomicInteger pending = new AtomicInteger(tasks.size());
            AtomicReference<Exception> failure = new AtomicReference<>();
            StartedSend startedSend = new StartedSend();
            DispatchAnswer answer = new DispatchAnswer(
                    emitter,
                    caller,
                    dispatched,
                    () -> lateStarted.accept(tasks.get(0).workflowId()));
            Runnable done = () -> {
                Exception failed = failure.get();
                if (span != null) {
                    Tracing.end(span, failed);
                }
                answer.tasksDone(failed, startedSend.report());
            };
            answer.startTimer(deadline);
            long until = System.nanoTime() + deadline.toNanos();
            release.queued();
            try {
                sending.execute(() -> {
                    release.started();
                    // Decided before the task records go: their answer may come before the `started` record is sent.
                    boolean withStarted = started != null && startedTopic.ready();
                    if (withStarted) {
                        startedSend.sending();
                    }
                    send(prepared, until, pending, failure, caller, done, trace);
                    if (withStarted) {
                        sendStarted(started, until, failure, startedSend, caller);
                    }
                    release.handedOver();
                });
            } catch (RuntimeException rejected) {
                release.refused();
                if (span != null) {
                    Tracing.end(span, rejected);
                }
                answer.fail(rejected);
            }
        });
    }

    private void send(
            Prepared prepared,
            long until,
            AtomicInteger pending,
            AtomicReference<Exception> failure,
            Context caller,
            Runnable done,
            io.opentelemetry.context.Context trace) {
        List<TaskRecord> tasks = prepared.tasks();
        // Prepared on this thread before (the queue is first in, first out), unless that failed or was refused.
        List<ProducerRecord<String, byte[]>> ready = prepared.records() != null
                        && prepared.records().isDone()
                        && !prepared.records().isCompletedExceptionally()
                ? prepared.records().join()
                : null;
        byte[] time = ready == null ? IntakeRecords.now() : null;
        for (int i = 0; i < tasks.size(); i++) {
            if (System.nanoTime() > until) {
                // The submit has given up waiting (the sweeper re-publishes the workflow): send no more of it.
                failure.compareAndSet(
                        null, new TimeoutException("dispatch timeout passed before every record was sent"));
                settle(pending, caller, done);
                continue;
            }
            try {
                ProducerRecord<String, byte[]> record = ready != null ? ready.get(i) : records.task(tasks.get(i), time);
                TraceHeaders.inject(trace, record.headers());
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                    settle(pending, caller, done);
                });
            } catch (JsonProcessingException | RuntimeException refused) {
                failure.compareAndSet(null, refused);
                settle(pending, caller, done);
            }
        }
    }

    /**
     * The `started` record after the task records, unless they were refused already or the submit's deadline passed
     * (then the workflow is not dispatched now and the record's sweep sends it), except when the dispatch was answered
     * already with the record reported in flight: then it goes whatever the time. Its outcome only moves {@code state};
     * it never fails the publish.
     */
    private void sendStarted(
            WorkflowEvent started, long until, AtomicReference<Exception> failure, StartedSend state, Context caller) {
        if (failure.get() != null) {
            // The dispatch fails (or failed) with its task records: whatever an answer said of this record, it is
            // not sent, and its sweep publishes it.
            state.withdraw();
            Log.debugf("Started record of workflow %s not sent: its task records were refused", started.workflowId());
            return;
        }
        if (System.nanoTime() > until && state.withdraw()) {
            Log.debugf("Started record of workflow %s not sent: its dispatch deadline passed", started.workflowId());
            return;
        }
        try {
            producer.send(records.started(started), (metadata, error) -> {
                if (error == null) {
                    if (state.acked()) {
                        // The dispatch was answered before this acknowledgement: confirm it on its own.
                        if (caller != null) {
                            caller.runOnContext(ignored -> lateStarted.accept(started.workflowId()));
                        } else {
                            lateStarted.accept(started.workflowId());
                        }
                    }
                } else {
                    state.refused();
                    refused(started, error);
                }
            });
        } catch (JsonProcessingException | RuntimeException refused) {
            state.refused();
            refused(started, refused);
        }
    }

    /** A refused `started` record: left to the sweep, and the topic probed before the next one is sent here. */
    private void refused(WorkflowEvent started, Exception why) {
        StartedLifecycle.deferred(startedDeferred, started.workflowId(), why);
        startedTopic.recheck();
    }

    private static void settle(AtomicInteger pending, Context caller, Runnable done) {
        if (pending.decrementAndGet() == 0) {
            if (caller != null) {
                caller.runOnContext(ignored -> done.run());
            } else {
                done.run();
            }
        }
    }

    /**
     * Lets the sends already queued reach the producer (for at most {@link #DRAIN}; what did not is re-published by
     * the sweeper), then gives the sends in flight a moment to be acknowledged before the producer closes.
     */
    @PreDestroy
    void close() {
        startedTopic.close();
        sending.shutdown();
        try {
            if (!sending.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                int dropped = sending.shutdownNow().size();
                Log.infof("%d queued task sends not made before shutdown; the dispatch sweeper covers them", dropped);
            }
        } catch (InterruptedException interrupted) {
            sending.shutdownNow();
            Thread.currentThread().interrupt();
        }
        release.close();
        metrics.close();
        producer.close(Duration.ofSeconds(5));
    }
}
