-- Fairness between organisations in webhook delivery (docs/webhooks.md#fairness-between-organisations).

-- A per-contact event beyond its organisation's caps is recorded with status `dropped` and why (`pending_cap`,
-- `hourly_limit`), so the event still exists once per task (the unique index of V8) and is never sent. Senders of the
-- previous release claim only `pending` and `in_flight` rows, so they ignore dropped ones.
ALTER TABLE webhook_events ADD COLUMN dropped_reason text;

-- The fair claim visits the organisations with open events (a skip scan on the leading column), counts each one's
-- live claims and takes its oldest due events; the pending cap counts an organisation's open events.
CREATE INDEX webhook_events_org_open ON webhook_events (org_id, status, next_attempt_at)
    WHERE status IN ('pending', 'in_flight');

-- The hourly limit counts an organisation's per-contact events recorded for delivery in the last hour.
CREATE INDEX webhook_events_org_contact_recent ON webhook_events (org_id, created_at)
    WHERE event_type = 'enrichment.contact_completed' AND dropped_reason IS NULL;
