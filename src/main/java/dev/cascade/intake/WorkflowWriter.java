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
import dev.cascade.leads.LeadLists;
import dev.cascade.support.ApiException;

/**
 * Writes an accepted workflow: the credit hold (§3), the workflow row, its tasks (every contact a lead on the
 * DEFAULT list, §7), the hold's ledger row and, for an idempotent submit, the stored answer (§4.1), all in ONE
 * statement. The hold comes first and everything else is written only from its row, so a hold the available credits
 * do not cover writes nothing at all. The conditional update takes the organisation's row lock, so concurrent
 * submits of one organisation are decided one after the other and never overdraw; a workflow that holds nothing
 * (type {@code none}, say) only reads the organisation's row and takes no lock.
 *
 * <p>A plain submit runs the statement on its own (one round trip, one commit). An idempotent one runs it in a
 * transaction, so that a key whose claim was lost in the meantime rolls everything back (409).
 */
@ApplicationScoped
class WorkflowWriter {
    private static final String HOLD = """
            WITH org AS (
                UPDATE organizations SET credits_held = credits_held + $11::numeric
                 WHERE id = $2::uuid AND credits - credits_held >= $11::numeric
             RETURNING id
            ),""";

    private static final String NO_HOLD = """
            WITH org AS (
                SELECT id FROM organizations WHERE id = $2::uuid
            ),""";

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
    /** DEFAULT list per organisation: created once and never deleted, so it is looked up once per process. */
    private final Map<UUID, UUID> defaultLists = new ConcurrentHashMap<>();

    WorkflowWriter(Pool pool, LeadLists leadLists) {
        this.pool = pool;
        this.leadLists = leadLists;
    }

    /**
     * Writes the workflow and answers its DEFAULT list id; fails with 402 when the hold is not covered (nothing
     * written) and with 409 when an idempotent submit's claim is no longer ours (everything rolled back).
     */
    Uni<UUID> write(NewWorkflow workflow, Answer answer) {
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

    private static Tuple params(NewWorkflow workflow, UUID listId, Answer answer) {
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
                .addString(answer == null ? null : answer.response());
    }

    /** 402 when the hold was not covered (nothing written); 409 when an idempotent submit's claim is gone. */
    private static void check(RowSet<Row> rows, Answer answer) {
        Row row = rows.iterator().next();
        if (row.getLong("created") == 0) {
            throw new ApiException(402, IntakeService.INSUFFICIENT_CREDITS);
        }
        if (answer != null && row.getLong("answered") != 1) {
            throw new ApiException(409, IdempotencyKeys.IN_FLIGHT);
        }
    }
}
