package dev.cascade.waterfall;

import java.math.BigDecimal;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import dev.cascade.accounts.Budgets;
import dev.cascade.accounts.CreditPolicy;
import dev.cascade.aggregation.Cancellations;
import dev.cascade.aggregation.TaskClaims;
import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Channels;
import dev.cascade.events.ResultEvent;
import dev.cascade.events.ResultItem;
import dev.cascade.events.TaskRecord;
import dev.cascade.support.Ids;
import dev.cascade.support.Json;
import dev.cascade.telemetry.Tracing;

/**
 * Consumes task records and publishes one result record per settled task. One instance keeps up to
 * {@code cascade.waterfall.max-in-flight} tasks in flight across all its partitions ({@link TaskSubscriber}; the
 * throttled commit strategy tracks out-of-order acks), each task on the waterfall's own event loops ({@link TaskLoops}).
 * A task record is acked only when its result record was acked by the broker ({@link ResultPublisher}). At shutdown no
 * new record is started and the running ones finish within a bound ({@link WaterfallDrain}).
 */
@ApplicationScoped
public class WaterfallConsumer {
    private static final java.util.Set<String> ENRICHMENT_TYPES =
            java.util.Set.of("none", "partial", "phone_only", "full", "prospecting_only");

    private final Waterfall waterfall;
    private final TaskClaims claims;
    private final Json json;
    private final CascadeConfig config;
    private final MeterRegistry meters;
    /** How often a task waiting for budget that running tasks hold asks again. */
    private static final java.time.Duration BUDGET_RETRY = java.time.Duration.ofMillis(100);

    private final Budgets budgets;
    private final CreditPolicy credits;
    private final Cancellations cancellations;
    private final Tracing tracing;
    private final WaterfallDrain drain;
    private final ResultPublisher results;
    private final io.vertx.core.Vertx vertx;
    /** The tasks' event loops, from the stream's subscription on (a process without the waterfall role has none). */
    private TaskLoops loops;

    private final java.util.Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Task records sent to the dead-letter topic, by reason: registered at start so the alert sees a zero. */
    private final io.micrometer.core.instrument.Counter deadLetteredUnreadable;

    private final io.micrometer.core.instrument.Counter deadLetteredFailed;

    private final io.micrometer.core.instrument.Counter settledAlready;

    public WaterfallConsumer(
            Waterfall waterfall,
            TaskClaims claims,
            Json json,
            CascadeConfig config,
            MeterRegistry meters,
            Budgets budgets,
            CreditPolicy credits,
            Cancellations cancellations,
            Tracing tracing,
            WaterfallDrain drain,
            ResultPublisher results,
            io.vertx.core.Vertx vertx) {
        this.vertx = vertx;
        this.results = results;
        this.cancellations = cancellations;
        this.tracing = tracing;
        this.drain = drain;
        this.meters = meters;
        this.budgets = budgets;
        this.credits = credits;
        this.waterfall = waterfall;
        this.claims = claims;
        this.json = json;
        this.config = config;
        this.deadLetteredUnreadable = deadLettered(meters, "unreadable");
        this.deadLetteredFailed = deadLettered(meters, "failed");
        this.settledAlready = io.micrometer.core.instrument.Counter.builder("cascade.waterfall.settled.records")
                .description("Task records of tasks settled already, acknowledged without running or publishing")
                .register(meters);
    }

    private static io.micrometer.core.instrument.Counter deadLettered(MeterRegistry meters, String reason) {
        return io.micrometer.core.instrument.Counter.builder("cascade.waterfall.dead.lettered")
                .description("Task records sent to the dead-letter topic, by reason (unreadable record, failure)")
                .tag("reason", reason)
                .register(meters);
    }

    /**
     * The task-record stream's subscriber: up to {@code cascade.waterfall.max-in-flight} records run at once, each until
     * its result record is acknowledged (and with it the task record) or the record is dead-lettered.
     */
    @Incoming(Channels.TASKS_IN)
    public Flow.Subscriber<Message<String>> process() {
        TaskLoops started = TaskLoops.start(vertx, config.waterfall().eventLoops());
        synchronized (this) {
            loops = started;
        }
        return new TaskSubscriber(config.waterfall().maxInFlight(), this::admitted, started.contexts());
    }

    /**
     * Stops the tasks' event loops. The application scope ends after the shutdown event, where the drain waited for
     * the admitted tasks ({@link WaterfallDrain}); a task still running past its bound is left to redelivery anyway.
     */
    @PreDestroy
    synchronized void close() {
        if (loops != null) {
            loops.close();
            loops = null;
        }
    }

    /**
     * Runs an admitted record; once the process drains for shutdown ({@link WaterfallDrain}) a record is not started:
     * it is never acknowledged here, so it is redelivered to another process, which makes its vendor calls. The record
     * is admitted (or not) at once, on the context and in the order the records arrive ({@link TaskSubscriber}); its
     * work runs where the returned {@code Uni} is subscribed.
     */
    private Uni<Void> admitted(Message<String> record) {
        if (!drain.admit()) {
            Log.debugf("Task record left to redelivery: the waterfall is draining");
            return Uni.createFrom().nothing();
        }
        Message<String> message = drain.track(record);
        return Uni.createFrom()
                .deferred(() -> handle(message))
                // Whatever a record does to us, it goes to the dead-letter topic and the stream carries on:
                // a failed item here would end the whole consumer.
                .onFailure()
                .recoverWithUni(failure -> {
                    Log.errorf(failure, "A task record could not be processed; sent to the dead-letter topic");
                    deadLetteredFailed.increment();
                    return Uni.createFrom().completionStage(message.nack(failure));
                });
    }

    private Uni<Void> handle(Message<String> message) {
        TaskRecord task;
        try {
            task = json.read(message.getPayload(), TaskRecord.class);
            if (task.taskId() == null || task.workflowId() == null || task.orgId() == null || task.contact() == null) {
                throw new IllegalArgumentException("task record lacks task_id, workflow_id, org_id or contact");
            }
            if (!Ids.isWorkflowId(task.workflowId())) {
                throw new IllegalArgumentException("task record has a malformed workflow_id");
            }
            if (!ENRICHMENT_TYPES.contains(String.valueOf(task.enrichmentType()))) {
                throw new IllegalArgumentException("task record has no known enrichment_type");
            }
        } catch (RuntimeException unreadable) {
            Log.warnf("Unreadable task record sent to the dead-letter topic: %s", unreadable.getMessage());
            deadLetteredUnreadable.increment();
            // The dead-letter strategy writes the record to the DLQ and commits past it; nothing is emitted.
            return Uni.createFrom().completionStage(message.nack(unreadable));
        }
        TaskRecord current = task;
        long started = System.nanoTime();
        // With tracing on: a `process enrichment.tasks` span under the record's `traceparent`, the parent of the
        // task's provider calls and of its result record.
        Span span = tracing.enabled() ? processSpan(message, current) : null;
        Context trace = span == null ? null : Context.root().with(span);
        return start(current, trace)
                .onFailure()
                .recoverWithItem(failure -> {
                    try (Scope logged = Tracing.scope(trace)) {
                        Log.errorf(
                                failure,
                                "Waterfall of task %s (workflow %s) failed",
                                current.taskId(),
                                current.workflowId());
                    }
                    return Waterfall.failed(current, "internal error");
                })
                .chain(outcome -> {
                    if (outcome == null) {
                        Log.debugf(
                                "Task %s of workflow %s is settled already; its record is acknowledged without a result",
                                current.taskId(), current.workflowId());
                        settledAlready.increment();
                        if (span != null) {
                            span.setAttribute(Tracing.STATUS, "settled");
                            span.end();
                        }
                        return Uni.createFrom().completionStage(message.ack());
                    }
                    timer(current.enrichmentType(), outcome.item().status())
                            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    if (span != null) {
                        span.setAttribute(Tracing.STATUS, outcome.item().status());
                        span.end();
                    }
                    return publish(message, current, outcome, trace);
                });
    }

    /** The task's span, under the context its record's headers carry (a new trace when they carry none). */
    private Span processSpan(Message<String> message, TaskRecord task) {
        Context parent = tracing.extract(message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(IncomingKafkaRecordMetadata::getHeaders)
                .orElse(null));
        Span span =
                tracing.messaging("process", SpanKind.CONSUMER, config.topics().tasks(), parent);
        span.setAttribute(Tracing.TASK_ID, task.taskId().toString());
        span.setAttribute(Tracing.WORKFLOW_ID, task.workflowId());
        span.setAttribute(Tracing.ENRICHMENT_TYPE, task.enrichmentType());
        return span;
    }

    /** The task timer of a type and outcome, looked up in the registry once. */
    private Timer timer(String type, String status) {
        return timers.computeIfAbsent(
                type + '\u0000' + status,
                key -> Timer.builder("cascade.waterfall.tasks")
                        .description("Tasks run by the waterfall, by enrichment type and outcome")
                        .tag("type", type)
                        .tag("status", status)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(java.time.Duration.ofMillis(1))
                        .maximumExpectedValue(java.time.Duration.ofMinutes(1))
                        .register(meters));
    }

    /**
     * Runs the task unless its workflow is cancelled (§4.6): a task that calls providers is first claimed in
     * PostgreSQL, so a cancel and its waterfall never both proceed. A cancelled task's result record still goes out,
     * saying so (the cancel settled the task already; the aggregator ignores a second result). A task whose workflow
     * was cancelled while it ran was settled `cancelled` by the cancel, without waiting for it: its late result is
     * published as that same `cancelled` result, so the result topic agrees with the status endpoint.
     */
    private Uni<TaskOutcome> start(TaskRecord task, Context trace) {
        if (cancellations.isCancelled(task.workflowId())) {
            return Uni.createFrom().item(Waterfall.failed(task, "cancelled"));
        }
        if ("none".equals(task.enrichmentType())) {
            // No provider to race with a cancel: not worth a write.
            return waterfall.run(task, trace);
        }
        return claims.claim(task.taskId(), task.workflowId()).chain(claim -> switch (claim) {
            case RUN ->
                withinBudget(task, trace)
                        .chain(outcome -> claims.cancelledSince(task.workflowId())
                                .map(cancelled -> cancelled ? Waterfall.failed(task, "cancelled") : outcome));
            case CANCELLED -> Uni.createFrom().item(Waterfall.failed(task, "cancelled"));
            // Settled already: nothing to run or publish (null: the record is acknowledged without a result).
            case SETTLED -> Uni.createFrom().nullItem();
        });
    }

    /**
     * Runs the task under its workflow's budget cap (§4.4): it reserves its worst case, or what is left when less is
     * ({@link Budgets#reserve}), and is skipped (`budget`) only when nothing is left; prospecting discovers at most
     * the prospects its reservation pays for. What it finds beyond its reservation is withheld ({@link #withinReserve}),
     * so no finding goes out unpaid and the cap is never passed.
     */
    private Uni<TaskOutcome> withinBudget(TaskRecord task, Context trace) {
        if (task.maxCredits() == null) {
            return waterfall.run(task, trace);
        }
        int maxProspects = task.maxProspectsPerCompany() != null
                ? task.maxProspectsPerCompany()
                : config.intake().maxProspectsPerCompany();
        boolean prospecting = "prospecting_only".equals(task.enrichmentType());
        BigDecimal perProspect = BigDecimal.valueOf(credits.prospect());
        BigDecimal worstCase = credits.unit(task.enrichmentType(), maxProspects);
        long waitUntil = System.nanoTime() + config.waterfall().taskDeadline().toNanos() / 2;
        return reserve(task, worstCase, prospecting ? perProspect : null, waitUntil)
                .chain(reserved -> {
                    if (reserved == null) {
                        return waterfall.run(task, trace);
                    }
                    if (reserved.signum() == 0) {
                        Log.debugf("Task %s of workflow %s skipped: budget spent", task.taskId(), task.workflowId());
                        return Uni.createFrom().item(waterfall.skipped(task, "budget"));
                    }
                    if (prospecting && perProspect.signum() > 0) {
                        int affordable = reserved.divide(perProspect, 0, java.math.RoundingMode.DOWN)
                                .intValue();
                        if (affordable < maxProspects) {
                            return waterfall.run(task.withMaxProspects(affordable), trace);
                        }
                    }
                    return waterfall.run(task, trace).map(outcome -> withinReserve(task, outcome, reserved));
                });
    }

    /**
     * Reserves the task's share of the budget; when nothing is left but running tasks still hold reservations, waits
     * for them (they may leave some unused) up to half the task deadline before the task is skipped.
     */
    private Uni<BigDecimal> reserve(TaskRecord task, BigDecimal worstCase, BigDecimal step, long waitUntil) {
        return budgets.reserve(task.taskId(), task.workflowId(), worstCase, step)
                .chain(reserved -> {
                    if (reserved == null || reserved.signum() > 0 || System.nanoTime() - waitUntil > 0) {
                        return Uni.createFrom().item(reserved);
                    }
                    return budgets.outstanding(task.workflowId())
                            .chain(held -> held.signum() <= 0
                                    ? Uni.createFrom().item(reserved)
                                    : Uni.createFrom()
                                            .voidItem()
                                            .onItem()
                                            .delayIt()
                                            .by(BUDGET_RETRY)
                                            .chain(() -> reserve(task, worstCase, step, waitUntil)));
                });
    }

    /**
     * What the task may deliver for its reservation: all it found when that fits; else, for a task that found an email
     * and phones, the email alone when that fits (phones cost the most); else nothing (`skipped_reason: budget`).
     */
    private TaskOutcome withinReserve(TaskRecord task, TaskOutcome outcome, BigDecimal reserved) {
        if (BigDecimal.valueOf(outcome.credits()).compareTo(reserved) <= 0) {
            return outcome;
        }
        ResultItem item = outcome.item();
        double email = credits.email();
        if (item.primaryEmail() != null && BigDecimal.valueOf(email).compareTo(reserved) <= 0) {
            Log.debugf("Task %s of workflow %s: phones withheld, beyond its budget", task.taskId(), task.workflowId());
            return new TaskOutcome(item.withoutPhones(), outcome.trace(), email, false);
        }
        Log.debugf("Task %s of workflow %s: findings withheld, beyond its budget", task.taskId(), task.workflowId());
        TaskOutcome skipped = waterfall.skipped(task, "budget");
        return new TaskOutcome(skipped.item(), outcome.trace(), 0, false);
    }

    /** Writes the task's result record; the task record is acknowledged once the broker has it. */
    private Uni<Void> publish(Message<String> task, TaskRecord record, TaskOutcome outcome, Context trace) {
        ResultEvent event = new ResultEvent(
                outcome.item(),
                record.workflowId(),
                record.orgId(),
                record.enrichmentType(),
                outcome.credits(),
                outcome.trace());
        Log.debugf(
                "Task %s of workflow %s settled %s",
                record.taskId(), record.workflowId(), outcome.item().status());
        return results.publish(task, record.taskId().toString(), event, trace);
    }
}
