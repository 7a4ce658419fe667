package dev.cascade.intake;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.accounts.IdempotencyKeys;
import dev.cascade.config.CascadeConfig;
import dev.cascade.config.QuotaSettings;
import dev.cascade.leads.LeadLists;
import dev.cascade.support.ApiException;
import dev.cascade.support.TooManyRequests;

/**
 * Writes an accepted workflow: the credit hold (§3), the organisation's quotas, the workflow row, its tasks (every
 * contact a lead on the DEFAULT list, §7), the hold's ledger row and, for an idempotent submit, the stored answer
 * (§4.1), all in ONE statement. The organisation's row is updated first (the hold, and the day's contact counter) and
 * everything else is written only from its row, so a hold the available credits do not cover, or a submit beyond a
 * quota, writes nothing at all. The conditional update takes the organisation's row lock, so concurrent submits of
 * one organisation are decided one after the other and never overdraw nor pass the daily contact quota.
 *
 * <p>Quotas (`cascade.quotas`, or the organisation's own): the contacts of the current UTC day are a counter on the
 * organisation's row, exact under its lock. Unfinished workflows are counted through a partial index, stopping at
 * the quota, so the count costs at most the quota's index entries; it reads the statement's snapshot, so submits of
 * one organisation racing each other may pass it by the few that were in flight together.
 *
 * <p>A plain submit runs the statement on its own (one round trip, one commit). An idempotent one runs it in a
 * transaction, so that a key whose claim was lost in the meantime rolls everything back (409). A refused submit costs
 * a second, read-only query that says why (402 or 429).
 */
@ApplicationScoped
class WorkflowWriter {
    /** The day of the contact quota: the current UTC date. */
    private static final String TODAY = "(now() AT TIME ZONE 'UTC')::date";

    /** The contacts the organisation submitted today (its counter, unless the counter is from an earlier day). */
    private static final String USED_TODAY =
            "CASE WHEN o.contacts_day = " + TODAY + " THEN o.contacts_today ELSE 0 END";

    /** Unfinished workflows of the organisation, counted through workflows_org_unfinished up to the quota. */
    private static final String PENDING = "(SELECT count(*) FROM (SELECT 1 FROM workflows w WHERE w.org_id = o.id"
            + " AND w.status IN ('pending', 'running') LIMIT coalesce(o.max_pending_workflows, $19::int)) p)";

    private static final String COUNT_CONTACTS =
            "contacts_today = " + USED_TODAY + " + $6::int, contacts_day = " + TODAY;

    private static final String WITHIN_QUOTAS = "(coalesce(o.max_contacts_per_day, $18::int) = 0 OR " + USED_TODAY
            + " + $6::int <= coalesce(o.max_contacts_per_day, $18::int))"
            + " AND (coalesce(o.max_pending_workflows, $19::int) = 0 OR " + PENDING
            + " < coalesce(o.max_pending_workflows, $19::int))";

    private static final String HOLD = "WITH org AS (UPDATE organizations o SET credits_held = o.credits_held"
            + " + $11::numeric, " + COUNT_CONTACTS
            + " WHERE o.id = $2::uuid AND o.credits - o.credits_held >= $11::numeric AND " + WITHIN_QUOTAS
            + " RETURNING o.id),\n";

    private static final String NO_HOLD = "WITH org AS (UPDATE organizations o SET " + COUNT_CONTACTS
            + " WHERE o.id = $2::uuid AND " + WITHIN_QUOTAS + " RETURNING o.id),\n";

    /** Why a submit was refused: read afterwards, only for a refused submit. */
    static final String REFUSAL_SQL = "SELECT o.credits - o.credits_held AS available, " + USED_TODAY
            + " AS used_today, coalesce(o.max_contacts_per_day, $2::int) AS contacts_quota, "
            + PENDING.replace("$19", "$3") + " AS pending, coalesce(o.max_pending_workflows, $3::int) AS pending_quota,"
            + " ceil(extract(epoch FROM (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day'"
            + " - (now() AT TIME ZONE 'UTC'))))::bigint AS day_left FROM organizations o WHERE o.id = $1::uuid";

    private static final String WRITE = """
            wf AS (
                INSERT INTO workflows (id, org_id, api_key_id, lead_list_id, enrichment_type, status, total_prospects,
                                       webhook_url, options, custom, unit_hold, credits_held, max_credits)
                SELECT $1::text, org.id, $3::uuid, $4::uuid, $5::text, 'pending', $6::int, $7::text,
                       $8::text::jsonb, $9::text::json, $10::numeric, $11::numeric, $12::numeric
                  FROM org
             RETURNING id
            ), task_rows AS (
                INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact)
                SELECT t.id, wf.id, $2::uuid, $4::uuid, (t.n - 1)::int, 'pending', t.contact::jsonb
                  FROM wf, unnest($13::uuid[], $14::text[]) WITH ORDINALITY AS t(id, contact, n)
            ), held AS (
                INSERT INTO credit_ledger (org_id, kind, amount, workflow_id, reason)
                SELECT $2::uuid, 'hold', -$11::numeric, wf.id, NULL FROM wf WHERE $11::numeric > 0
            ), answered AS (
                UPDATE idempotency_keys k
                   SET status = 'done', workflow_id = wf.id, response = $17::text, locked_until = now()
                  FROM wf
                 WHERE $15::text IS NOT NULL AND k.org_id = $2::uuid AND k.key = $15::text AND k.claim = $16::uuid
                   AND k.status = 'in_flight'
             RETURNING 1
            )
            SELECT (SELECT count(*) FROM wf) AS created, (SELECT count(*) FROM answered) AS answered
            """;

    static final String HOLD_SQL = HOLD + WRITE;
    static final String NO_HOLD_SQL = NO_HOLD + WRITE;

    /** One accepted workflow, as the statement writes it. */
    record NewWorkflow(
            String id,
            UUID orgId,
            UUID keyId,
            String type,
            String webhookUrl,
            String options,
            String custom,
            BigDecimal unit,
            BigDecimal hold,
            BigDecimal maxCredits,
            List<UUID> taskIds,
            String[] contacts) {}

    /** The stored answer of an idempotent submit. */
    record Answer(String key, UUID claim, String response) {}

    private final Pool pool;
    private final LeadLists leadLists;
    private final QuotaSettings quotas;
    /** DEFAULT list per organisation: created once and never deleted, so it is looked up once per process. */
    private final Map<UUID, UUID> defaultLists = new ConcurrentHashMap<>();

    WorkflowWriter(Pool pool, LeadLists leadLists, CascadeConfig config) {
        this.pool = pool;
        this.leadLists = leadLists;
        this.quotas = config.quotas();
    }

    /** The organisation's DEFAULT list id when this process knows it already (every submit after its first), else null. */
    UUID knownDefaultList(UUID orgId) {
        return defaultLists.get(orgId);
    }

    /**
     * Writes the workflow and answers its DEFAULT list id; fails with 402 when the hold is not covered and with 429
     * beyond a quota (nothing written), and with 409 when an idempotent submit's claim is no longer ours (everything
     * rolled back).
     */
    Uni<UUID> write(NewWorkflow workflow, Answer answer) {
        return attempt(workflow, answer).onFailure(Refused.class).recoverWithUni(() -> refusal(workflow));
    }

    private Uni<UUID> attempt(NewWorkflow workflow, Answer answer) {
        UUID known = defaultLists.get(workflow.orgId());
        String sql = workflow.hold().signum() > 0 ? HOLD_SQL : NO_HOLD_SQL;
        if (known == null) {
            // The organisation's first submit in this process: its DEFAULT list may not exist yet, and must not be
            // created by a submit that is refused, so list and workflow share one transaction.
            return pool.withTransaction(conn -> leadLists
                            .ensureDefault(conn, workflow.orgId())
                            .call(listId -> conn.preparedQuery(sql)
                                    .execute(params(workflow, listId, answer))
                                    .invoke(rows -> check(rows, answer))))
                    .invoke(listId -> defaultLists.put(workflow.orgId(), listId));
        }
        Tuple params = params(workflow, known, answer);
        Uni<RowSet<Row>> written = answer == null
                ? pool.preparedQuery(sql).execute(params).invoke(rows -> check(rows, null))
                : pool.withTransaction(
                        conn -> conn.preparedQuery(sql).execute(params).invoke(rows -> check(rows, answer)));
        return written.replaceWith(known);
    }

    /**
     * Says why the statement wrote nothing, from a fresh read: credits first (§2.1 step 9), then the quotas. Should
     * nothing explain it any more (a concurrent workflow finished meanwhile), the client is asked to retry shortly.
     */
    private Uni<UUID> refusal(NewWorkflow workflow) {
        int contacts = workflow.taskIds().size();
        return pool.preparedQuery(REFUSAL_SQL)
                .execute(Tuple.of(workflow.orgId(), quotas.contactsPerDay(), quotas.pendingWorkflows()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    if (workflow.hold().signum() > 0
                            && row.getBigDecimal("available").compareTo(workflow.hold()) < 0) {
                        throw new ApiException(402, IntakeService.INSUFFICIENT_CREDITS);
                    }
                    int pendingQuota = row.getInteger("pending_quota");
                    if (pendingQuota > 0 && row.getLong("pending") >= pendingQuota) {
                        throw new TooManyRequests(
                                "Too many unfinished workflows: at most " + pendingQuota
                                        + " may be pending or running at once",
                                quotas.pendingRetryAfter().toSeconds());
                    }
                    int contactsQuota = row.getInteger("contacts_quota");
                    long used = row.getLong("used_today");
                    if (contactsQuota > 0 && used + contacts > contactsQuota) {
                        throw new TooManyRequests(
                                "Daily contact quota reached: " + contactsQuota + " contacts per day (UTC), " + used
                                        + " used today, this request has " + contacts,
                                row.getLong("day_left"));
                    }
                    throw new TooManyRequests("Quota reached; retry shortly", 1);
                });
    }

    private Tuple params(NewWorkflow workflow, UUID listId, Answer answer) {
        return Tuple.tuple()
                .addString(workflow.id())
                .addUUID(workflow.orgId())
                .addUUID(workflow.keyId())
                .addUUID(listId)
                .addString(workflow.type())
                .addInteger(workflow.taskIds().size())
                .addString(workflow.webhookUrl())
                .addString(workflow.options())
                .addString(workflow.custom())
                .addBigDecimal(workflow.unit())
                .addBigDecimal(workflow.hold())
                .addBigDecimal(workflow.maxCredits())
                .addArrayOfUUID(workflow.taskIds().toArray(UUID[]::new))
                .addArrayOfString(workflow.contacts())
                .addString(answer == null ? null : answer.key())
                .addUUID(answer == null ? null : answer.claim())
                .addString(answer == null ? null : answer.response())
                .addInteger(quotas.contactsPerDay())
                .addInteger(quotas.pendingWorkflows());
    }

    /** Nothing written (credits or a quota; {@link #refusal} says which); 409 when an idempotent claim is gone. */
    private static void check(RowSet<Row> rows, Answer answer) {
        Row row = rows.iterator().next();
        if (row.getLong("created") == 0) {
            throw new Refused();
        }
        if (answer != null && row.getLong("answered") != 1) {
            throw new ApiException(409, IdempotencyKeys.IN_FLIGHT);
        }
    }

    /** The statement wrote nothing; rolls back the transaction it ran in, if any. */
    private static final class Refused extends RuntimeException {
        Refused() {
            super("refused", null, false, false);
        }
    }
}
