-- Credits (§3): an append-only ledger of every movement, and the two running totals it explains.
--   organizations.credits       the balance: top-ups, adjustments and charges (hold and release rows do not move it)
--   organizations.credits_held  the open holds of unfinished workflows
-- The sum of every ledger row of an organisation is its available credits (balance minus open holds): a hold is
-- negative, its release positive, a charge negative. Once no workflow is open, the sum equals the balance.
ALTER TABLE organizations ADD COLUMN credits_held numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD CONSTRAINT organizations_holds_not_negative CHECK (credits_held >= 0);

CREATE TABLE credit_ledger (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       uuid           NOT NULL REFERENCES organizations (id),
    kind         text           NOT NULL CHECK (kind IN ('hold', 'charge', 'release', 'top_up', 'adjustment')),
    amount       numeric(14, 2) NOT NULL,
    workflow_id  text,
    task_id      uuid,
    reason       text,
    created_at   timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX credit_ledger_org ON credit_ledger (org_id, id);
CREATE INDEX credit_ledger_workflow ON credit_ledger (workflow_id) WHERE workflow_id IS NOT NULL;
-- Belt and braces for "never charged twice": a workflow holds once, a task is charged and released at most once.
CREATE UNIQUE INDEX credit_ledger_one_hold ON credit_ledger (workflow_id) WHERE kind = 'hold';
CREATE UNIQUE INDEX credit_ledger_task_once ON credit_ledger (task_id, kind) WHERE task_id IS NOT NULL;

CREATE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit_ledger is append-only';
END;
$$;
CREATE TRIGGER credit_ledger_no_update BEFORE UPDATE OR DELETE ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
CREATE TRIGGER credit_ledger_no_truncate BEFORE TRUNCATE ON credit_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_append_only();

-- Balances from before the ledger existed are its first rows.
INSERT INTO credit_ledger (org_id, kind, amount, reason)
SELECT id, 'adjustment', credits, 'opening balance' FROM organizations WHERE credits <> 0;

-- A workflow's hold: unit_hold is one task's worst case, credits_held what is still held. max_credits is the budget
-- cap (§4.4); budget_reserved the part of it that running tasks have reserved before calling any provider.
ALTER TABLE workflows ADD COLUMN unit_hold numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE workflows ADD COLUMN credits_held numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE workflows ADD COLUMN max_credits numeric(14, 2);
ALTER TABLE workflows ADD COLUMN budget_reserved numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE workflows ADD COLUMN cancelled_at timestamptz;
CREATE INDEX workflows_cancelled ON workflows (cancelled_at) WHERE cancelled_at IS NOT NULL;

-- settle_seq: the task's place in its workflow's settlement order (1, 2, …), assigned under the workflow's row lock,
-- so it grows in commit order; the progress stream resumes from it. budget_reserved: what the task reserved.
ALTER TABLE tasks ADD COLUMN settle_seq integer;
ALTER TABLE tasks ADD COLUMN budget_reserved numeric(14, 2) NOT NULL DEFAULT 0;

-- Idempotent submit (§4.1): one row per organisation and key, kept for the retention (24 h by default).
CREATE TABLE idempotency_keys (
    org_id        uuid        NOT NULL REFERENCES organizations (id),
    key           text        NOT NULL,
    request_hash  bytea       NOT NULL,
    status        text        NOT NULL CHECK (status IN ('in_flight', 'done')),
    claim         uuid        NOT NULL,
    locked_until  timestamptz NOT NULL,
    workflow_id   text,
    response      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Leads of a list are read in submission order (§7): by the time their workflow was accepted, then input order.
DROP INDEX tasks_lead_list;
CREATE INDEX tasks_lead_list ON tasks (lead_list_id, created_at, workflow_id, idx);

-- The `completed` lifecycle record (enrichment.workflows) is published after the settling commit; this marks it
-- acknowledged, and a sweeper publishes what a crash left unmarked (at least once; consumers de-duplicate on ce_id).
ALTER TABLE workflows ADD COLUMN completed_published_at timestamptz;
UPDATE workflows SET completed_published_at = completed_at WHERE completed_at IS NOT NULL;
CREATE INDEX workflows_completed_unpublished ON workflows (completed_at)
    WHERE completed_at IS NOT NULL AND completed_published_at IS NULL;
