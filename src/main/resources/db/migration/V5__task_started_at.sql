-- When the waterfall started a task (the `running` mark). The dispatch sweeper re-publishes, in a stalled workflow,
-- only tasks that have been running for longer than the stall timeout: those are lost in flight. Tasks still
-- `pending` are waiting in Kafka (a backlog), and re-publishing them would only lengthen it.
ALTER TABLE tasks ADD COLUMN started_at timestamptz;
