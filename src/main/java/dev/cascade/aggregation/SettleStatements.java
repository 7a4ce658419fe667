package dev.cascade.aggregation;

/**
 * The aggregator's statements ({@link ResultAggregator}): the workflow locks and the settle statement. A settle
 * transaction runs a lock, then the settle statement, which also moves the organisations' totals.
 */
final class SettleStatements {
    private SettleStatements() {}

    /**
     * Locks the workflows a batch touches, in id order. Every settle of one workflow is thereby serialised, and the
     * settle statement that follows (a new snapshot under READ COMMITTED) sees its latest counters and holds; the fixed
     * order keeps concurrent aggregators free of deadlocks. The organisations are locked only by the settle
     * statement's last step, in id order too, so a busy organisation's submits wait for little more than a settle's
     * commit.
     */
    static final String LOCK_SQL = """
            SELECT id FROM workflows
             WHERE id IN (SELECT workflow_id FROM tasks WHERE id = ANY($1::uuid[]))
             ORDER BY id FOR NO KEY UPDATE
            """;

    /**
     * {@link #LOCK_SQL} for a batch whose records all name their workflow (every record the waterfall and a cancel
     * write): two index descents instead of one per task. The settle statement then settles only tasks of these
     * workflows ({@code $12}), so a record naming another workflow than its task's settles nothing.
     */
    static final String LOCK_NAMED_SQL = """
            SELECT id FROM workflows WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE
            """;

    static final String SETTLE_SQL = """
            WITH raw AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[],
                                     $7::float8[], $8::text[], $9::float8[]) WITH ORDINALITY
                    AS i(id, status, result, trace, has_email, has_phone, credits, error, produced, n)
            ), input AS (
                -- One row per unsettled task (a poll may hold duplicates: the first copy wins), numbered in its
                -- workflow's settlement order: settle_seq continues from the workflow's settled count, under its lock.
                SELECT d.*, row_number() OVER (PARTITION BY d.workflow_id ORDER BY d.idx) AS k
                  FROM (SELECT DISTINCT ON (r.id) r.*, t.workflow_id, t.idx
                          FROM raw r JOIN tasks t ON t.id = r.id
                         WHERE t.status IN ('pending', 'running')
                           AND ($12::text[] IS NULL OR t.workflow_id = ANY($12::text[]))
                         ORDER BY r.id, r.n) d
            ), settled AS (
                UPDATE tasks t
                   SET status = i.status, result = i.result::json, trace = i.trace::json, has_email = i.has_email,
                       has_phone = i.has_phone, error = i.error, settled_at = now(),
                       -- Never more than the task could cost when its workflow held for it, nor than it reserved of
                       -- a budget cap (least ignores the NULL of a check that does not apply).
                       charged_credits = least(i.credits,
                                               CASE WHEN w.unit_hold > 0 THEN w.unit_hold END,
                                               CASE WHEN w.max_credits IS NOT NULL THEN t.budget_reserved END),
                       settle_seq = w.completed_prospects + w.failed_prospects + i.k
                  FROM input i JOIN workflows w ON w.id = i.workflow_id
                 WHERE t.id = i.id AND t.status IN ('pending', 'running')
             RETURNING t.id, t.workflow_id, t.org_id, t.idx, t.status, t.has_email, t.has_phone, t.charged_credits,
                       t.budget_reserved, i.produced, (extract(epoch FROM t.created_at) * 1000)::float8 AS submitted
            ), money AS (
                -- Credits (§3): each settled task is charged what it found, and releases what its workflow no longer
                -- needs to hold: after k more settled tasks the workflow needs to hold what its unsettled tasks may
                -- still cost (their worst case, within what its budget cap leaves). A workflow whose last task
                -- settles holds nothing any more.
                SELECT m.id, m.workflow_id, m.org_id, m.charged_credits AS charge,
                       least(m.held, m.need_before) - least(m.held, m.need_after) AS release
                  FROM (SELECT s.id, s.workflow_id, s.org_id, s.charged_credits, w.credits_held AS held,
                               CASE WHEN s.k = 1 THEN w.credits_held
                                    ELSE greatest(0, least((w.total_prospects - w.completed_prospects
                                                            - w.failed_prospects - s.k + 1) * w.unit_hold,
                                                           w.max_credits - w.credits_charged - s.cc + s.charged_credits))
                               END AS need_before,
                               greatest(0, least((w.total_prospects - w.completed_prospects - w.failed_prospects - s.k)
                                                 * w.unit_hold,
                                                 w.max_credits - w.credits_charged - s.cc)) AS need_after
                          FROM (SELECT x.*,
                                       row_number() OVER (PARTITION BY x.workflow_id ORDER BY x.idx) AS k,
                                       sum(x.charged_credits) OVER (PARTITION BY x.workflow_id ORDER BY x.idx) AS cc
                                  FROM settled x) s
                          JOIN workflows w ON w.id = s.workflow_id) m
            ), ledger AS (
                INSERT INTO credit_ledger (org_id, kind, amount, workflow_id, task_id)
                SELECT org_id, 'charge', -charge, workflow_id, id FROM money WHERE charge > 0
                 UNION ALL
                SELECT org_id, 'release', release, workflow_id, id FROM money WHERE release > 0
            ), contact_settled AS (
                -- per_contact_webhooks: the settled tasks that get an `enrichment.contact_completed` event, numbered
                -- per organisation for the caps below.
                SELECT s.id, s.workflow_id, w.org_id, w.webhook_url,
                       row_number() OVER (PARTITION BY w.org_id ORDER BY s.workflow_id, s.idx) AS n
                  FROM settled s JOIN workflows w ON w.id = s.workflow_id
                 WHERE w.webhook_url IS NOT NULL AND coalesce((w.options ->> 'per_contact_webhooks')::boolean, false)
            ), contact_room AS (
                -- What each organisation may still add (ContactEventCaps): undelivered events under the pending cap
                -- ($10), per-contact events recorded for delivery in the last hour under the hourly limit ($11).
                -- Each count stops at its cap.
                SELECT o.org_id,
                       $10 - (SELECT count(*) FROM (SELECT 1 FROM webhook_events e
                                                     WHERE e.org_id = o.org_id AND e.status IN ('pending', 'in_flight')
                                                     LIMIT $10) p) AS pending_room,
                       $11 - (SELECT count(*) FROM (SELECT 1 FROM webhook_events e
                                                     WHERE e.org_id = o.org_id
                                                       AND e.event_type = 'enrichment.contact_completed'
                                                       AND e.dropped_reason IS NULL
                                                       AND e.created_at > now() - interval '1 hour'
                                                     LIMIT $11) r) AS hourly_room
                  FROM (SELECT DISTINCT org_id FROM contact_settled) o
            ), contact_hooks AS (
                -- One event per settled task, in the same transaction as the settlement (a task settles once, so its
                -- event is recorded once). Beyond a cap it is recorded `dropped` with the reason and never sent.
                INSERT INTO webhook_events (id, org_id, workflow_id, task_id, event_type, url, status, next_attempt_at,
                                            finished_at, dropped_reason)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), c.org_id, c.workflow_id, c.id,
                       'enrichment.contact_completed', c.webhook_url,
                       CASE WHEN d.reason IS NULL THEN 'pending' ELSE 'dropped' END,
                       CASE WHEN d.reason IS NULL THEN now() END,
                       CASE WHEN d.reason IS NOT NULL THEN now() END,
                       d.reason
                  FROM contact_settled c
                  JOIN contact_room r ON r.org_id = c.org_id
                 CROSS JOIN LATERAL (SELECT CASE WHEN c.n > r.pending_room THEN 'pending_cap'
                                                 WHEN c.n > r.hourly_room THEN 'hourly_limit' END AS reason) d
                    ON CONFLICT (task_id) WHERE event_type = 'enrichment.contact_completed' DO NOTHING
             RETURNING org_id, dropped_reason
            ), org_money AS (
                SELECT m.org_id, sum(m.charge) AS charges, sum(m.release) AS releases
                  FROM money m GROUP BY m.org_id HAVING sum(m.charge) <> 0 OR sum(m.release) <> 0
            ), org_locked AS (
                -- The organisations whose totals move, locked in id order (no deadlock between aggregators) before
                -- the update below takes any of them; the update reads each row's latest committed version.
                SELECT o.id FROM organizations o WHERE o.id IN (SELECT org_id FROM org_money) ORDER BY o.id
                   FOR NO KEY UPDATE
            ), balances AS (
                -- The organisations' totals move by what this statement wrote to their ledger.
                UPDATE organizations o
                   SET credits = o.credits - d.charges, credits_held = o.credits_held - d.releases
                  FROM org_money d
                 WHERE o.id = d.org_id AND o.id IN (SELECT id FROM org_locked)
            ), tally AS (
                SELECT s.workflow_id,
                       count(*) FILTER (WHERE s.status = 'completed') AS completed,
                       count(*) FILTER (WHERE s.status = 'failed') AS failed,
                       count(*) FILTER (WHERE s.has_email) AS emails,
                       count(*) FILTER (WHERE s.has_phone) AS phones,
                       coalesce(sum(s.charged_credits), 0) AS credits,
                       coalesce(sum(s.budget_reserved), 0) AS reserved,
                       (SELECT coalesce(sum(m.release), 0) FROM money m WHERE m.workflow_id = s.workflow_id) AS released
                  FROM settled s GROUP BY s.workflow_id
            ), updated AS (
                UPDATE workflows w
                   SET completed_prospects = w.completed_prospects + t.completed,
                       failed_prospects = w.failed_prospects + t.failed,
                       emails_found = w.emails_found + t.emails,
                       phones_found = w.phones_found + t.phones,
                       credits_charged = w.credits_charged + t.credits,
                       credits_held = w.credits_held - t.released,
                       budget_reserved = greatest(0, w.budget_reserved - t.reserved),
                       -- Refreshed at most every 30 s: an unchanged indexed column keeps this a HOT update.
                       last_progress_at = CASE WHEN w.last_progress_at < now() - interval '30 seconds' THEN now()
                                               ELSE w.last_progress_at END,
                       status = CASE
                           WHEN w.completed_prospects + t.completed + w.failed_prospects + t.failed < w.total_prospects
                               THEN 'running'
                           WHEN w.failed_prospects + t.failed = w.total_prospects THEN 'failed'
                           WHEN w.failed_prospects + t.failed > 0 THEN 'completed_with_errors'
                           ELSE 'completed' END,
                       completed_at = CASE
                           WHEN w.completed_prospects + t.completed + w.failed_prospects + t.failed >= w.total_prospects
                               THEN now() END
                  FROM tally t
                 WHERE w.id = t.workflow_id AND w.status IN ('pending', 'running')
             RETURNING w.id, w.org_id, w.status, w.webhook_url
            ), hooks AS (
                INSERT INTO webhook_events (id, org_id, workflow_id, event_type, url, status, next_attempt_at)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), org_id, id, 'enrichment.completed',
                       webhook_url, 'pending', now()
                  FROM updated
                 WHERE status IN ('completed', 'completed_with_errors', 'failed') AND webhook_url IS NOT NULL
                    ON CONFLICT (workflow_id) WHERE event_type = 'enrichment.completed' DO NOTHING
             RETURNING workflow_id
            )
            -- Three kinds of rows: the workflows that became terminal, one row with when each settled task was
            -- submitted and its result produced (epoch milliseconds, for the overhead histograms), and the
            -- per-contact events dropped per organisation and reason (in `status`, their number in `charges`; for
            -- ContactEventCaps).
            SELECT 'workflow' AS kind, u.id, u.org_id, u.status, (u.id IN (SELECT workflow_id FROM hooks)) AS webhook,
                   NULL::numeric AS charges, NULL::numeric AS releases, NULL::float8[] AS submitted,
                   NULL::float8[] AS produced
              FROM updated u
             WHERE u.status IN ('completed', 'completed_with_errors', 'failed')
             UNION ALL
            SELECT 'timing', NULL, NULL, NULL, NULL, NULL, NULL, array_agg(s.submitted), array_agg(s.produced)
              FROM settled s HAVING count(*) > 0
             UNION ALL
            SELECT 'dropped', NULL, h.org_id, h.dropped_reason, NULL, count(*), NULL, NULL, NULL
              FROM contact_hooks h WHERE h.dropped_reason IS NOT NULL GROUP BY h.org_id, h.dropped_reason
            """;
}
