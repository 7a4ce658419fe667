package dev.cascade.waterfall;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.ResultProducerSettings;
import dev.cascade.events.CloudEvents;
import dev.cascade.events.ResultEvent;
import dev.cascade.support.Json;
import dev.cascade.support.KafkaSettings;
import dev.cascade.support.Times;
import dev.cascade.telemetry.TraceHeaders;
import dev.cascade.telemetry.Tracing;

/**
 * Writes the waterfall's result records (key: the workflow id, so one workflow's results stay in order on one
 * partition) through a plain Kafka producer, and acknowledges each task record once its result is acknowledged by the
 * broker, or sends the task record to the dead-letter topic (its negative acknowledgement) when the result cannot be
 * written within {@link ResultProducerSettings#deliveryTimeout()}.
 *
 * <p>As for the intake's task records ({@code TaskPublisher}), this replaced a reactive-messaging channel: a message
 * object, a metadata copy, a context capture and an acknowledgement stage per result cost more CPU than the broker's
 * own work. Records are handed to the producer on one sending thread of its own ({@code send()} may block while the
 * producer fetches metadata or its buffer is full, which must never happen on an event loop); results that arrive
 * while it sends are taken together, so a burst of results costs one hand-over. The producer is made at the first
 * result, so a process without the waterfall role never opens it.
 */
@ApplicationScoped
class ResultPublisher {
    /** The client id the former channel had, so the producer's metrics keep their `client_id` label. */
    static final String CLIENT_ID = "kafka-producer-results-out";

    private static final byte[] TYPE = CloudEvents.TYPE_RESULT.getBytes(StandardCharsets.UTF_8);

    private final Map<String, Object> kafka;
    private final ResultProducerSettings settings;
    private final String topic;
    private final ObjectWriter writer;
    private final MeterRegistry meters;
    private final Tracing tracing;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Whether a drain of the queue is scheduled on the sending thread or running. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** The sending thread; it starts with the first result. */
    private final ExecutorService sending = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "cascade-result-producer");
        thread.setDaemon(true);
        return thread;
    });

    private volatile Producer<String, byte[]> producer;
    private KafkaClientMetrics metrics;

    ResultPublisher(
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            CascadeConfig config,
            Json json,
            MeterRegistry meters,
            Tracing tracing) {
        this.kafka = kafka;
        this.settings = config.waterfall().results();
        this.topic = config.topics().results();
        this.writer = json.mapper().writerFor(ResultEvent.class);
        this.meters = meters;
        this.tracing = tracing;
    }

    /** A result waiting for the sending thread, with the task record it acknowledges. */
    private record Pending(ProducerRecord<String, byte[]> record, Message<String> task, Span span, Runnable done) {}

    /**
     * Writes the result of a task and completes once its task record was acknowledged (the result is with the broker)
     * or dead-lettered (it could not be written). Never fails: a failure is the task record's negative acknowledgement.
     * With tracing on, a `publish enrichment.results` span under {@code trace} covers the write and the record carries
     * its context to the aggregator's settle.
     */
    Uni<Void> publish(Message<String> task, String taskId, ResultEvent event, Context trace) {
        ProducerRecord<String, byte[]> record;
        try {
            record = record(taskId, event);
        } catch (JsonProcessingException failed) {
            return Uni.createFrom().completionStage(task.nack(failed));
        }
        Span span = null;
        if (trace != null) {
            span = tracing.messaging("publish", SpanKind.PRODUCER, topic, trace);
            span.setAttribute(Tracing.TASK_ID, taskId);
            TraceHeaders.inject(trace.with(span), record.headers());
        }
        Span publishing = span;
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Pending(record, task, publishing, () -> emitter.complete(null)));
            schedule();
        });
    }

    private ProducerRecord<String, byte[]> record(String taskId, ResultEvent event) throws JsonProcessingException {
        RecordHeaders headers = CloudEvents.headers(
                bytes(CloudEvents.resultEventId(taskId)),
                TYPE,
                bytes(Times.now()),
                bytes(event.orgId().toString()));
        return new ProducerRecord<>(topic, null, event.workflowId(), writer.writeValueAsBytes(event), headers);
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            sending.execute(this::drain);
        }
    }

    /** Sends what is queued; runs on the sending thread only, one drain at a time. */
    private void drain() {
        Producer<String, byte[]> target = producer();
        while (true) {
            Pending next;
            while ((next = queue.poll()) != null) {
                send(target, next);
            }
            scheduled.set(false);
            // A result queued after the last poll but before the flag was cleared found the drain still scheduled.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private static void send(Producer<String, byte[]> target, Pending pending) {
        try {
            target.send(pending.record(), (metadata, failure) -> settle(pending, failure));
        } catch (RuntimeException refused) {
            settle(pending, refused);
        }
    }

    private static void settle(Pending pending, Exception failure) {
        if (pending.span() != null) {
            Tracing.end(pending.span(), failure);
        }
        Message<String> task = pending.task();
        (failure == null ? task.ack() : task.nack(failure))
                .whenComplete((ignored, alsoFailed) -> pending.done().run());
    }

    private Producer<String, byte[]> producer() {
        Producer<String, byte[]> made = producer;
        if (made == null) {
            synchronized (this) {
                made = producer;
                if (made == null) {
                    made = new KafkaProducer<>(
                            producerConfig(kafka, settings), new StringSerializer(), new ByteArraySerializer());
                    metrics = new KafkaClientMetrics(made);
                    metrics.bindTo(meters);
                    producer = made;
                }
            }
        }
        return made;
    }

    /** The shared broker settings plus the result producer's own. */
    static Map<String, Object> producerConfig(Map<String, Object> kafka, ResultProducerSettings settings) {
        Map<String, Object> config = KafkaSettings.producer(kafka, CLIENT_ID);
        config.put(ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis());
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, settings.batchBytes());
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.bufferBytes());
        int delivery = (int) settings.deliveryTimeout().toMillis();
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
        // Kafka wants delivery.timeout >= linger + request.timeout: a request may take half of the whole bound.
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, delivery / 2));
        return config;
    }

    @PreDestroy
    synchronized void close() {
        sending.shutdown();
        if (producer != null) {
            metrics.close();
            // Results still in flight get a moment; a task whose result is not acknowledged is redelivered.
            producer.close(Duration.ofSeconds(5));
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
