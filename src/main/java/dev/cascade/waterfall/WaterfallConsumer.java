package dev.cascade.waterfall;

import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import dev.cascade.accounts.Budgets;
import dev.cascade.accounts.CreditPolicy;
import dev.cascade.aggregation.Cancellations;
import dev.cascade.aggregation.TaskClaims;
import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Channels;
import dev.cascade.events.CloudEvents;
import dev.cascade.events.ResultEvent;
import dev.cascade.events.TaskRecord;
import dev.cascade.support.Ids;
import dev.cascade.support.Json;

/**
 * Consumes task records and publishes one result record per settled task. The whole stream is processed with a
 * bounded merge, so one instance keeps up to {@code cascade.waterfall.max-in-flight} tasks in flight across all its
 * partitions (the throttled commit strategy tracks out-of-order acks). A task record is acked only when its result
 * record was acked by the broker: the result message carries the task message's ack.
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
    private final Budgets budgets;
    private final CreditPolicy credits;
    private final Cancellations cancellations;
    private final java.util.Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Task records sent to the dead-letter topic, by reason: registered at start so the alert sees a zero. */
    private final io.micrometer.core.instrument.Counter deadLetteredUnreadable;

    private final io.micrometer.core.instrument.Counter deadLetteredFailed;

    public WaterfallConsumer(
            Waterfall waterfall,
            TaskClaims claims,
            Json json,
            CascadeConfig config,
            MeterRegistry meters,
            Budgets budgets,
            CreditPolicy credits,
            Cancellations cancellations) {
        this.cancellations = cancellations;
        this.meters = meters;
        this.budgets = budgets;
        this.credits = credits;
        this.waterfall = waterfall;
        this.claims = claims;
        this.json = json;
        this.config = config;
        this.deadLetteredUnreadable = deadLettered(meters, "unreadable");
        this.deadLetteredFailed = deadLettered(meters, "failed");
    }

    private static io.micrometer.core.instrument.Counter deadLettered(MeterRegistry meters, String reason) {
        return io.micrometer.core.instrument.Counter.builder("cascade.waterfall.dead.lettered")
                .description("Task records sent to the dead-letter topic, by reason (unreadable record, failure)")
                .tag("reason", reason)
                .register(meters);
    }

    @Incoming(Channels.TASKS_IN)
    @Outgoing(Channels.RESULTS_OUT)
    public Multi<Message<String>> process(Multi<Message<String>> tasks) {
        return tasks.onItem()
                .transformToUni(message -> Uni.createFrom()
                        .deferred(() -> handle(message))
                        // Whatever a record does to us, it goes to the dead-letter topic and the stream carries on:
                        // a failed item here would end the whole consumer.
                        .onFailure()
                        .recoverWithUni(failure -> {
                            Log.errorf(failure, "A task record could not be processed; sent to the dead-letter topic");
                            deadLetteredFailed.increment();
                            return Uni.createFrom()
                                    .completionStage(message.nack(failure))
                                    .replaceWith(() -> null);
                        }))
                .merge(config.waterfall().maxInFlight());
    }

    private Uni<Message<String>> handle(Message<String> message) {
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
            return Uni.createFrom().completionStage(message.nack(unreadable)).replaceWith(() -> null);
        }
        TaskRecord current = task;
        long started = System.nanoTime();
        return start(current)
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.errorf(
                            failure,
                            "Waterfall of task %s (workflow %s) failed",
                            current.taskId(),
                            current.workflowId());
                    return Waterfall.failed(current, "internal error");
                })
                .invoke(outcome -> timer(
                                current.enrichmentType(), outcome.item().status())
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS))
                .map(outcome -> toResultMessage(message, current, outcome));
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
     * saying so (the cancel settled the task already; the aggregator ignores a second result).
     */
    private Uni<TaskOutcome> start(TaskRecord task) {
        if (cancellations.isCancelled(task.workflowId())) {
            return Uni.createFrom().item(Waterfall.failed(task, "cancelled"));
        }
        if ("none".equals(task.enrichmentType())) {
            // No provider to race with a cancel: not worth a write.
            return waterfall.run(task);
        }
        return claims.claim(task.taskId(), task.workflowId())
                .chain(go -> go ? withinBudget(task) : Uni.createFrom().item(Waterfall.failed(task, "cancelled")));
    }

    /** Runs the task, first reserving its worst case when its workflow has a budget cap (§4.4). */
    private Uni<TaskOutcome> withinBudget(TaskRecord task) {
        if (task.maxCredits() == null) {
            return waterfall.run(task);
        }
        int maxProspects = task.maxProspectsPerCompany() != null
                ? task.maxProspectsPerCompany()
                : config.intake().maxProspectsPerCompany();
        boolean prospecting = "prospecting_only".equals(task.enrichmentType());
        BigDecimal perProspect = BigDecimal.valueOf(credits.prospect());
        return budgets.reserve(
                        task.taskId(),
                        task.workflowId(),
                        credits.unit(task.enrichmentType(), maxProspects),
                        prospecting ? perProspect : null)
                .chain(reserved -> {
                    if (reserved == null) {
                        return waterfall.run(task);
                    }
                    if (reserved.signum() == 0) {
                        Log.debugf("Task %s of workflow %s skipped: budget spent", task.taskId(), task.workflowId());
                        return Uni.createFrom().item(waterfall.skipped(task, "budget"));
                    }
                    if (prospecting && perProspect.signum() > 0) {
                        int affordable = reserved.divide(perProspect, 0, java.math.RoundingMode.DOWN)
                                .intValue();
                        if (affordable < maxProspects) {
                            return waterfall.run(task.withMaxProspects(affordable));
                        }
                    }
                    return waterfall.run(task);
                });
    }

    private Message<String> toResultMessage(Message<String> task, TaskRecord record, TaskOutcome outcome) {
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
        return task.withPayload(json.write(event))
                .addMetadata(CloudEvents.metadata(
                        record.workflowId(),
                        CloudEvents.resultEventId(record.taskId().toString()),
                        CloudEvents.TYPE_RESULT,
                        record.orgId()));
    }
}
