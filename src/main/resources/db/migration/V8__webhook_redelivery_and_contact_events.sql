-- Redelivery (§4.8) runs an event through the schedule again: attempts keep counting (the delivery log numbers them
-- on), and the schedule position is counted from the attempt the redelivery started at.
ALTER TABLE webhook_events ADD COLUMN schedule_start integer NOT NULL DEFAULT 0;

-- `enrichment.contact_completed` (per_contact_webhooks): at most one event per task.
CREATE UNIQUE INDEX webhook_events_one_per_task ON webhook_events (task_id)
    WHERE event_type = 'enrichment.contact_completed';
