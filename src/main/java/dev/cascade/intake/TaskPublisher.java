package dev.cascade.intake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
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
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.CloudEvents;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.support.Json;
import dev.cascade.support.KafkaSettings;
import dev.cascade.telemetry.TraceHeaders;
import dev.cascade.telemetry.Tracing;

/**
 * Publishes task records, one per contact, keyed by task id; completes when the broker acknowledged them all.
 *
 * <p>A submit publishes up to 250 records at once, so this talks to a plain Kafka producer instead of going through a
 * reactive-messaging emitter: one message object, metadata copy, context capture and ack stage per record cost more
 * CPU than the broker's own work. The records are handed to the producer on one sending thread of its own (a send
 * may block while the producer fetches metadata or its buffer is full, which must never happen on an event loop),
 * and the caller is resumed on its own Vert.x context once the last acknowledgement arrived. Guarantees are those of
 * the former channel: {@code acks=all} with idempotence, and a submit is answered only after every record was acked.
 */
@ApplicationScoped
@Startup
class TaskPublisher {
    private static final byte[] TYPE = bytes(CloudEvents.TYPE_TASK);
    private static final byte[] TYPE_STARTED = bytes(CloudEvents.TYPE_WORKFLOW_STARTED);
    /**
     * Jobs waiting for the sending thread: a submit queues two (its preparation, then its publish), so this lets 64
     * submits wait as before. Beyond it a publish is refused at once (the sweeper publishes it later) and a preparation
     * is skipped (the publish serialises its records itself).
     */
    private static final int QUEUED_JOBS = 128;

    private final Producer<String, byte[]> producer;
    private final ExecutorService sending;
    private final ObjectWriter writer;
    private final ObjectWriter eventWriter;
    private final String topic;
    private final String workflowsTopic;
    private final KafkaClientMetrics metrics;
    private final Duration deadline;
    private final Tracing tracing;

    TaskPublisher(
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            CascadeConfig config,
            Json json,
            MeterRegistry meters,
            Tracing tracing) {
        this.tracing = tracing;
        this.topic = config.topics().tasks();
        this.workflowsTopic = config.topics().workflows();
        this.writer = json.mapper().writerFor(TaskRecord.class);
        this.eventWriter = json.mapper().writerFor(WorkflowEvent.class);
        this.producer = new KafkaProducer<>(
                producerConfig(kafka, config.intake()), new StringSerializer(), new ByteArraySerializer());
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
        this.deadline = config.intake().dispatchTimeout();
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
     * Task records being made ready to send (serialised, CloudEvents headers set) on the sending thread, so that a submit
     * can have that done while its statement runs in PostgreSQL ({@link IntakeService}); {@link #publish(Prepared,
     * io.opentelemetry.context.Context)} sends them. Should the preparation fail or be refused (the sending queue is
     * full), the publish serialises the records itself.
     */
    record Prepared(List<TaskRecord> tasks, CompletableFuture<List<ProducerRecord<String, byte[]>>> records) {}

    /** Starts preparing the records on the sending thread; nothing is sent until {@link #publish(Prepared, io.opentelemetry.context.Context)}. */
    Prepared prepare(List<TaskRecord> tasks) {
        CompletableFuture<List<ProducerRecord<String, byte[]>>> records = new CompletableFuture<>();
        try {
            sending.execute(() -> {
                try {
                    records.complete(records(tasks));
                } catch (JsonProcessingException | RuntimeException failed) {
                    records.completeExceptionally(failed);
                }
            });
        } catch (RuntimeException rejected) {
            records.completeExceptionally(rejected);
        }
        return new Prepared(tasks, records);
    }

    /** The producer records of a submit's tasks: one timestamp and one set of constant header values for them all. */
    private List<ProducerRecord<String, byte[]>> records(List<TaskRecord> tasks) throws JsonProcessingException {
        byte[] time = bytes(dev.cascade.support.Times.now());
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(tasks.size());
        for (TaskRecord task : tasks) {
            records.add(record(task, time));
        }
        return records;
    }

    private ProducerRecord<String, byte[]> record(TaskRecord task, byte[] time) throws JsonProcessingException {
        byte[] idBytes = bytes(CloudEvents.taskEventId(task.taskId()));
        RecordHeaders headers =
                CloudEvents.headers(idBytes, TYPE, time, bytes(task.orgId().toString()));
        return new ProducerRecord<>(topic, null, task.taskId().toString(), writer.writeValueAsBytes(task), headers);
    }

    /**
     * Publishes the records and, when {@code started} is given, the workflow's `started` lifecycle record on
     * `enrichment.workflows` after them, on the same producer: one produce request carries both, where a channel of
     * its own cost a request, a sending thread and a message per submit. Completes when the broker acknowledged every
     * task record (fails otherwise), with whether it acknowledged the `started` record too: a refused `started` record
     * never fails the dispatch, its own sweep ({@link StartedLifecycle}) publishes it later. With tracing on, one
     * `publish enrichment.tasks` span under {@code parent} (the submit, or the workflow's stored trace context when
     * the sweeper re-publishes) covers the task records until the last acknowledgement, and each of them carries its
     * context in `traceparent`.
     */
    Uni<Boolean> publish(Prepared prepared, WorkflowEvent started, io.opentelemetry.context.Context parent) {
        List<TaskRecord> tasks = prepared.tasks();
        if (tasks.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        Context caller = Vertx.currentContext();
        Span span;
        io.opentelemetry.context.Context trace;
        if (parent == null) {
            span = null;
            trace = null;
        } else {
            span = tracing.messaging("publish", SpanKind.PRODUCER, topic, parent);
            span.setAttribute(Tracing.WORKFLOW_ID, tasks.get(0).workflowId());
            span.setAttribute(Tracing.BATCH_COUNT, (long) tasks.size());
            trace = parent.with(span);
        }
        return Uni.createFrom().emitter(emitter -> {
            AtomicInteger pending = new AtomicInteger(tasks.size() + (started == null ? 0 : 1));
            AtomicReference<Exception> failure = new AtomicReference<>();
            AtomicBoolean startedAcked = new AtomicBoolean();
            Runnable done = () -> {
                Exception failed = failure.get();
                if (span != null) {
                    Tracing.end(span, failed);
                }
                if (failed == null) {
                    emitter.complete(startedAcked.get());
                } else {
                    emitter.fail(failed);
                }
            };
            long until = System.nanoTime() + deadline.toNanos();
            try {
                sending.execute(() -> {
                    send(prepared, until, pending, failure, caller, done, trace);
                    if (started != null) {
                        sendStarted(started, until, pending, startedAcked, caller, done);
                    }
                });
            } catch (RuntimeException rejected) {
                if (span != null) {
                    Tracing.end(span, rejected);
                }
                emitter.fail(rejected);
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
        byte[] time = ready == null ? bytes(dev.cascade.support.Times.now()) : null;
        for (int i = 0; i < tasks.size(); i++) {
            if (System.nanoTime() > until) {
                // The submit has given up waiting (the sweeper re-publishes the workflow): send no more of it.
                failure.compareAndSet(
                        null, new TimeoutException("dispatch timeout passed before every record was sent"));
                settle(pending, caller, done);
                continue;
            }
            try {
                ProducerRecord<String, byte[]> record = ready != null ? ready.get(i) : record(tasks.get(i), time);
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

    /** The `started` record after the task records; its outcome only sets {@code acked}, it never fails the publish. */
    private void sendStarted(
            WorkflowEvent started,
            long until,
            AtomicInteger pending,
            AtomicBoolean acked,
            Context caller,
            Runnable done) {
        if (System.nanoTime() > until) {
            settle(pending, caller, done);
            return;
        }
        try {
            producer.send(startedRecord(started), (metadata, error) -> {
                if (error == null) {
                    acked.set(true);
                } else {
                    Log.warnf(
                            "Started record of workflow %s not published yet (%s); the sweep will retry",
                            started.workflowId(), error.getMessage());
                }
                settle(pending, caller, done);
            });
        } catch (JsonProcessingException | RuntimeException refused) {
            Log.warnf(
                    "Started record of workflow %s not published yet (%s); the sweep will retry",
                    started.workflowId(), refused.getMessage());
            settle(pending, caller, done);
        }
    }

    /** The record the `workflows-out` channel writes for the event: key the workflow id, the same CloudEvents headers. */
    ProducerRecord<String, byte[]> startedRecord(WorkflowEvent started) throws JsonProcessingException {
        RecordHeaders headers = CloudEvents.headers(
                bytes(started.workflowId() + ":" + started.event()),
                TYPE_STARTED,
                bytes(dev.cascade.support.Times.now()),
                bytes(started.orgId().toString()));
        return new ProducerRecord<>(
                workflowsTopic, null, started.workflowId(), eventWriter.writeValueAsBytes(started), headers);
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

    @PreDestroy
    void close() {
        sending.shutdown();
        metrics.close();
        // Sends still in flight get a moment to be acknowledged; what is not is re-published by the sweeper.
        producer.close(Duration.ofSeconds(5));
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
