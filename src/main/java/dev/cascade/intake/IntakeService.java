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
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.accounts.CreditLedger;
import dev.cascade.accounts.CreditPolicy;
import dev.cascade.accounts.IdempotencyKeys;
import dev.cascade.accounts.Principal;
import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Contact;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.leads.LeadLists;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.Json;
import dev.cascade.support.Times;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;
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

    private final Pool pool;
    private final MeterRegistry meters;
    private final EgressPolicy egress;
    private final LeadLists leadLists;
    private final TaskPublisher publisher;
    private final StartedLifecycle lifecycle;
    private final Json json;
    private final CascadeConfig config;
    private final CreditLedger ledger;
    private final CreditPolicy credits;
    private final IdempotencyKeys idempotency;

    IntakeService(
            Pool pool,
            EgressPolicy egress,
            LeadLists leadLists,
            TaskPublisher publisher,
            StartedLifecycle lifecycle,
            Json json,
            CascadeConfig config,
            MeterRegistry meters,
            CreditLedger ledger,
            CreditPolicy credits,
            IdempotencyKeys idempotency) {
        this.ledger = ledger;
        this.credits = credits;
        this.idempotency = idempotency;
        this.meters = meters;
        this.pool = pool;
        this.egress = egress;
        this.leadLists = leadLists;
        this.publisher = publisher;
        this.lifecycle = lifecycle;
        this.json = json;
        this.config = config;
    }

    /**
     * Accepts a validated request: the webhook URL's egress check (the last validation), then the idempotency key
     * (§4.1), then the credit hold (§3) inside the transaction that writes the workflow.
     */
    public Uni<Submitted> submit(Principal principal, BulkRequest request, String idempotencyKey) {
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
            return checked.chain(() -> accept(principal, request, null, null))
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
                    return accept(principal, request, idempotencyKey, fresh)
                            .onFailure()
                            .call(failure -> idempotency.release(principal.orgId(), idempotencyKey, fresh))
                            .map(response -> new Submitted(response, false));
                });
    }

    private Uni<BulkResponse> accept(Principal principal, BulkRequest request, String idempotencyKey, UUID claim) {
        String workflowId = Ids.newWorkflowId();
        List<UUID> taskIds = new ArrayList<>(request.contacts().size());
        for (int i = 0; i < request.contacts().size(); i++) {
            taskIds.add(UUID.randomUUID());
        }
        WorkflowOptions options = new WorkflowOptions(
                request.waterfall(),
                request.maxCacheAgeDays(),
                request.maxProspectsPerCompany(),
                request.maxCredits(),
                request.perContactWebhooks());
        int maxProspects = request.maxProspectsPerCompany() != null
                ? request.maxProspectsPerCompany()
                : config.intake().maxProspectsPerCompany();
        String type = request.enrichmentType().wire();
        BigDecimal unit = credits.unit(type, maxProspects);
        BigDecimal hold = credits.hold(type, maxProspects, taskIds.size(), request.maxCredits());
        BulkResponse response = new BulkResponse(workflowId, "started", STARTED_MESSAGE, taskIds, taskIds.size());
        return pool.withTransaction(conn -> leadLists
                        .ensureDefault(conn, principal.orgId())
                        .call(listId ->
                                insertWorkflow(conn, principal, workflowId, listId, request, options, unit, hold))
                        .call(listId -> insertTasks(conn, principal.orgId(), workflowId, listId, taskIds, request))
                        .call(() -> idempotencyKey == null
                                ? Uni.createFrom().voidItem()
                                : idempotency.complete(
                                        conn,
                                        principal.orgId(),
                                        idempotencyKey,
                                        claim,
                                        workflowId,
                                        json.write(response)))
                        // Last, so the organisation's row lock it takes is held only until the commit.
                        .call(() -> ledger.hold(conn, principal.orgId(), workflowId, hold)
                                .invoke(held -> {
                                    if (!held) {
                                        throw new ApiException(402, INSUFFICIENT_CREDITS);
                                    }
                                })))
                .chain(listId -> {
                    List<TaskRecord> records = new ArrayList<>(taskIds.size());
                    for (int i = 0; i < taskIds.size(); i++) {
                        records.add(record(
                                taskIds.get(i),
                                workflowId,
                                principal.orgId(),
                                listId,
                                i,
                                request.enrichmentType().wire(),
                                request.contacts().get(i),
                                options,
                                request.custom()));
                    }
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
                    return dispatch(workflowId, records, started);
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
     * Publishes the records and confirms the dispatch. Never fails: a workflow that could not be dispatched now is
     * durable already and the sweeper dispatches it later, so the client keeps its workflow id.
     */
    Uni<Void> dispatch(String workflowId, List<TaskRecord> records, WorkflowEvent started) {
        // Never fails: a `started` record the broker refused is left to its own sweep, not to the task re-publisher.
        Uni<Boolean> startedRecord = started == null ? Uni.createFrom().item(false) : lifecycle.acknowledged(started);
        return Uni.combine()
                .all()
                .unis(publisher.publish(records).replaceWith(true), startedRecord)
                .asTuple()
                .ifNoItem()
                .after(config.intake().dispatchTimeout())
                .fail()
                // One write confirms both: the dispatch, and the `started` record when the broker took it.
                .chain(acked -> pool.preparedQuery(
                                "UPDATE workflows SET dispatched_at = coalesce(dispatched_at, now()),"
                                        + " last_progress_at = now(), started_published_at = CASE WHEN $2"
                                        + " THEN coalesce(started_published_at, now()) ELSE started_published_at END"
                                        + " WHERE id = $1")
                        .execute(Tuple.of(workflowId, acked.getItem2())))
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Workflow %s not dispatched yet (%s); the dispatch sweeper will retry",
                            workflowId, failure.getMessage());
                    return null;
                });
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

    private Uni<Void> insertWorkflow(
            SqlConnection conn,
            Principal principal,
            String workflowId,
            UUID listId,
            BulkRequest request,
            WorkflowOptions options,
            BigDecimal unit,
            BigDecimal hold) {
        return conn.preparedQuery("INSERT INTO workflows (id, org_id, api_key_id, lead_list_id, enrichment_type,"
                        + " status, total_prospects, webhook_url, options, custom, unit_hold, credits_held, max_credits)"
                        + " VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8::text::jsonb, $9::text::json, $10, $11,"
                        + " $12)")
                .execute(Tuple.tuple()
                        .addString(workflowId)
                        .addUUID(principal.orgId())
                        .addUUID(principal.keyId())
                        .addUUID(listId)
                        .addString(request.enrichmentType().wire())
                        .addInteger(request.contacts().size())
                        .addString(request.webhookUrl())
                        .addString(json.write(options))
                        .addString(request.custom() == null ? null : json.write(request.custom()))
                        .addBigDecimal(unit)
                        .addBigDecimal(hold)
                        .addBigDecimal(request.maxCredits()))
                .replaceWithVoid();
    }

    private Uni<Void> insertTasks(
            SqlConnection conn, UUID orgId, String workflowId, UUID listId, List<UUID> taskIds, BulkRequest request) {
        List<Tuple> rows = new ArrayList<>(taskIds.size());
        for (int i = 0; i < taskIds.size(); i++) {
            rows.add(Tuple.tuple()
                    .addUUID(taskIds.get(i))
                    .addString(workflowId)
                    .addUUID(orgId)
                    .addUUID(listId)
                    .addInteger(i)
                    .addString(json.write(request.contacts().get(i))));
        }
        return conn.preparedQuery("INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact)"
                        + " VALUES ($1, $2, $3, $4, $5, 'pending', $6::text::jsonb)")
                .executeBatch(rows)
                .replaceWithVoid();
    }
}
