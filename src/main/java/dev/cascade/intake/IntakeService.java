package dev.cascade.intake;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.cascade.accounts.CreditPolicy;
import dev.cascade.accounts.IdempotencyKeys;
import dev.cascade.accounts.Principal;
import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Contact;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.Json;
import dev.cascade.support.Times;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;
import dev.cascade.telemetry.Tracing;
import dev.cascade.webhooks.EgressPolicy;

/**
 * Accepts a validated bulk request: the workflow, its tasks and their DEFAULT-list membership are written in one
 * transaction (tasks as one batch), then one record per contact goes to `enrichment.tasks`. The answer goes out
 * after the broker acknowledged every record. Should the publish fail or the gateway die before it, the dispatch
 * sweeper re-publishes the workflow: {@code dispatched_at} stays null until the acks arrived.
 */
@ApplicationScoped
public class IntakeService {
    static final String STARTED_MESSAGE = "Bulk enrichment workflow started successfully";
    static final String INSUFFICIENT_CREDITS = "Insufficient credits";

    /** A submit's answer; {@code replayed} when it is the stored answer to an earlier request with the same key. */
    public record Submitted(BulkResponse response, boolean replayed) {}

    private final MeterRegistry meters;
    private final EgressPolicy egress;
    private final TaskPublisher publisher;
    private final Json json;
    private final CascadeConfig config;
    private final CreditPolicy credits;
    private final IdempotencyKeys idempotency;
    private final WorkflowWriter writer;
    private final DispatchConfirmations confirmations;
    private final StartedLifecycle startedLifecycle;
    private final Tracing tracing;

    IntakeService(
            EgressPolicy egress,
            TaskPublisher publisher,
            Json json,
            CascadeConfig config,
            MeterRegistry meters,
            CreditPolicy credits,
            IdempotencyKeys idempotency,
            WorkflowWriter writer,
            DispatchConfirmations confirmations,
            StartedLifecycle startedLifecycle,
            Tracing tracing) {
        this.tracing = tracing;
        this.startedLifecycle = startedLifecycle;
        this.credits = credits;
        this.idempotency = idempotency;
        this.meters = meters;
        this.egress = egress;
        this.publisher = publisher;
        this.json = json;
        this.config = config;
        this.writer = writer;
        this.confirmations = confirmations;
    }

    /**
     * Accepts a validated request: the webhook URL's egress check (the last validation), then the idempotency key
     * (§4.1), then the credit hold (§3) inside the transaction that writes the workflow.
     */
    public Uni<Submitted> submit(Principal principal, BulkRequest request, String idempotencyKey) {
        // The request's server span, taken here on the request's own context: later steps may resume elsewhere.
        String traceparent = tracing.traceparent(tracing.current());
        Uni<Void> checked = request.webhookUrl() == null
                ? Uni.createFrom().voidItem()
                : egress.check(request.webhookUrl(), false)
                        .invoke(refusal -> {
                            if (refusal != null) {
                                throw new ValidationException(List.of(new ValidationProblem(
                                        "value_error",
                                        List.of("body", "webhook_url"),
                                        "webhook_url " + refusal,
                                        request.webhookUrl())));
                            }
                        })
                        .replaceWithVoid();
        if (idempotencyKey == null) {
            return checked.chain(() -> accept(principal, request, null, null, traceparent))
                    .map(response -> new Submitted(response, false));
        }
        if (!IdempotencyKeys.wellFormed(idempotencyKey)) {
            // Step 8 of §2.1: after every field check, the webhook URL's included.
            return checked.chain(() -> Uni.createFrom()
                    .failure(new ApiException(400, "Idempotency-Key must be 1 to 255 printable ASCII characters")));
        }
        return checked.chain(() -> idempotency.claim(principal.orgId(), idempotencyKey, json.canonicalHash(request)))
                .chain(claim -> {
                    if (claim instanceof IdempotencyKeys.Claim.Replay replay) {
                        return Uni.createFrom()
                                .item(new Submitted(json.read(replay.response(), BulkResponse.class), true));
                    }
                    UUID fresh = ((IdempotencyKeys.Claim.Fresh) claim).claim();
                    return accept(principal, request, idempotencyKey, fresh, traceparent)
                            .onFailure()
                            .call(failure -> idempotency.release(principal.orgId(), idempotencyKey, fresh))
                            .map(response -> new Submitted(response, false));
                });
    }

    private Uni<BulkResponse> accept(
            Principal principal, BulkRequest request, String idempotencyKey, UUID claim, String traceparent) {
        String workflowId = Ids.newWorkflowId();
        List<UUID> taskIds = Ids.newTaskIds(request.contacts().size());
        WorkflowOptions options = new WorkflowOptions(
                request.waterfall(),
                request.maxCacheAgeDays(),
                request.maxProspectsPerCompany(),
                request.maxCredits(),
                request.perContactWebhooks(),
                // The submit's span: the workflow's trace, for a re-publish and its webhook attempts.
                traceparent);
        int maxProspects = request.maxProspectsPerCompany() != null
                ? request.maxProspectsPerCompany()
                : config.intake().maxProspectsPerCompany();
        String type = request.enrichmentType().wire();
        BigDecimal unit = credits.unit(type, maxProspects);
        BigDecimal hold = credits.hold(type, maxProspects, taskIds.size(), request.maxCredits());
        BulkResponse response = new BulkResponse(workflowId, "started", STARTED_MESSAGE, taskIds, taskIds.size());
        String[] contacts = new String[taskIds.size()];
        for (int i = 0; i < contacts.length; i++) {
            contacts[i] = json.write(request.contacts().get(i));
        }
        WorkflowWriter.NewWorkflow workflow = new WorkflowWriter.NewWorkflow(
                workflowId,
                principal.orgId(),
                principal.keyId(),
                type,
                request.webhookUrl(),
                json.write(options),
                request.custom() == null ? null : json.write(request.custom()),
                unit,
                hold,
                request.maxCredits(),
                taskIds,
                contacts);
        WorkflowWriter.Answer answer =
                idempotencyKey == null ? null : new WorkflowWriter.Answer(idempotencyKey, claim, json.write(response));
        // With the DEFAULT list known (every submit of the organisation after its first in this process), the task
        // records are serialised on the publisher's thread while the statement runs in PostgreSQL: the broker gets
        // them as soon as the workflow is durable. Nothing is sent before that; a refused submit only wasted the work.
        UUID knownList = writer.knownDefaultList(principal.orgId());
        TaskPublisher.Prepared prepared = knownList == null
                ? null
                : publisher.prepare(records(taskIds, workflowId, principal.orgId(), knownList, request, options));
        return writer.write(workflow, answer)
                .chain(listId -> {
                    TaskPublisher.Prepared records = prepared != null && listId.equals(knownList)
                            ? prepared
                            : new TaskPublisher.Prepared(
                                    records(taskIds, workflowId, principal.orgId(), listId, request, options), null);
                    WorkflowEvent started = new WorkflowEvent(
                            "started",
                            workflowId,
                            principal.orgId(),
                            request.enrichmentType().wire(),
                            "pending",
                            taskIds.size(),
                            null,
                            Times.now(),
                            request.custom());
                    return dispatch(workflowId, records, started, options.traceparent());
                })
                .invoke(() -> {
                    meters.counter(
                                    "cascade.intake.workflows",
                                    "type",
                                    request.enrichmentType().wire())
                            .increment();
                    meters.counter(
                                    "cascade.intake.contacts",
                                    "type",
                                    request.enrichmentType().wire())
                            .increment(taskIds.size());
                })
                .replaceWith(response);
    }

    /**
     * Publishes the records and confirms the dispatch; true when the broker acknowledged every record. Never fails: a
     * workflow that could not be dispatched now is durable already and the sweeper dispatches it later (or gives it
     * up, {@code cascade.dispatch.*}), so the client keeps its workflow id.
     */
    Uni<Boolean> dispatch(String workflowId, List<TaskRecord> records, WorkflowEvent started, String traceparent) {
        return dispatch(workflowId, new TaskPublisher.Prepared(records, null), started, traceparent);
    }

    private Uni<Boolean> dispatch(
            String workflowId, TaskPublisher.Prepared records, WorkflowEvent started, String traceparent) {
        // The `started` record goes with the task records when the task producer takes it; the broker refusing it is
        // left to its own sweep, never to the task re-publisher.
        return publisher
                // The publisher keeps the dispatch timeout and decides the answer once; what follows a dispatch happens
                // in its callback, so a caller that stops listening loses nothing. No timeout is added here: one could
                // drop an answer already decided.
                .publish(records, started, tracing.parse(traceparent), outcome -> {
                    // One write confirms both: the dispatch, and the `started` record when the broker took it already.
                    // Not awaited: the records are safe with the broker, and a lost confirmation only means a
                    // re-publish.
                    confirmations
                            .confirm(workflowId, outcome == TaskPublisher.Started.ACKED)
                            .subscribe()
                            .with(confirmed -> {}, failure -> {});
                    if (started != null && outcome == TaskPublisher.Started.NOT_SENT) {
                        // Not taken by the task producer (its topic not known to take records): the channel sends it.
                        startedLifecycle.publish(started).subscribe().with(sent -> {}, failure -> {});
                    }
                })
                .replaceWith(true)
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Workflow %s not dispatched yet (%s); the dispatch sweeper will retry",
                            workflowId, failure.getMessage());
                    return false;
                });
    }

    /** The task records of a submit, one per contact, in the request's order. */
    private static List<TaskRecord> records(
            List<UUID> taskIds,
            String workflowId,
            UUID orgId,
            UUID listId,
            BulkRequest request,
            WorkflowOptions options) {
        List<TaskRecord> records = new ArrayList<>(taskIds.size());
        for (int i = 0; i < taskIds.size(); i++) {
            records.add(record(
                    taskIds.get(i),
                    workflowId,
                    orgId,
                    listId,
                    i,
                    request.enrichmentType().wire(),
                    request.contacts().get(i),
                    options,
                    request.custom()));
        }
        return records;
    }

    static TaskRecord record(
            UUID taskId,
            String workflowId,
            UUID orgId,
            UUID listId,
            int index,
            String type,
            Contact contact,
            WorkflowOptions options,
            Map<String, String> custom) {
        return new TaskRecord(
                taskId,
                workflowId,
                orgId,
                listId,
                index,
                type,
                contact,
                options.waterfall(),
                options.maxCacheAgeDays(),
                options.maxProspectsPerCompany(),
                custom,
                options.maxCredits());
    }
}
