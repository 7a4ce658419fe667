-- Growth and quotas (issue 12).

-- Per-organisation quotas: overrides of cascade.quotas.* (NULL: the configured default; 0: no quota), and the
-- organisation's contacts accepted on the current UTC day. The counter lives on the organisation's row because every
-- submit already takes that row's lock (the credit hold), so counting is exact and costs no extra row.
ALTER TABLE organizations ADD COLUMN max_pending_workflows integer;
ALTER TABLE organizations ADD COLUMN max_contacts_per_day integer;
ALTER TABLE organizations ADD COLUMN contacts_day date;
ALTER TABLE organizations ADD COLUMN contacts_today integer NOT NULL DEFAULT 0;

-- The pending-workflow quota counts an organisation's unfinished workflows through this index, stopping at the quota.
-- `status` is already in workflows_unsettled's predicate, so the index costs no HOT update that was HOT before.
CREATE INDEX workflows_org_unfinished ON workflows (org_id) WHERE status IN ('pending', 'running');

-- Retention: the oldest finished workflows first.
CREATE INDEX workflows_finished ON workflows (completed_at) WHERE completed_at IS NOT NULL;

-- Lead lists (§7) keep their number of leads, maintained by the database on every insert and delete of tasks (a
-- statement-level trigger: one update per list per statement, whatever the number of contacts), so listing them is
-- not a count over every task. The previous release reads count(*) and is unaffected.
ALTER TABLE lead_lists ADD COLUMN lead_count bigint NOT NULL DEFAULT 0;

CREATE FUNCTION lead_lists_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lead_lists l SET lead_count = l.lead_count + n.added
      FROM (SELECT lead_list_id, count(*) AS added FROM added_tasks GROUP BY lead_list_id) n
     WHERE l.id = n.lead_list_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION lead_lists_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lead_lists l SET lead_count = l.lead_count - n.removed
      FROM (SELECT lead_list_id, count(*) AS removed FROM removed_tasks GROUP BY lead_list_id) n
     WHERE l.id = n.lead_list_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_count_added AFTER INSERT ON tasks REFERENCING NEW TABLE AS added_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION lead_lists_count_added();
CREATE TRIGGER tasks_count_removed AFTER DELETE ON tasks REFERENCING OLD TABLE AS removed_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION lead_lists_count_removed();

UPDATE lead_lists l SET lead_count = (SELECT count(*) FROM tasks t WHERE t.lead_list_id = l.id);

-- Retention deletes a workflow's webhook events by workflow, and deleting a workflow checks its foreign key from
-- webhook_events: without this index each would read the whole table.
CREATE INDEX webhook_events_workflow ON webhook_events (workflow_id);
