-- When a workflow last made progress (dispatch, or a settled task). The dispatch sweeper re-publishes the unsettled
-- tasks of a dispatched workflow that has made none for `cascade.intake.stall-timeout`, so a task record lost after
-- dispatch (dead-lettered because its result could not be written, say) cannot strand its workflow either.
ALTER TABLE workflows ADD COLUMN last_progress_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX workflows_unsettled ON workflows (last_progress_at) WHERE status IN ('pending', 'running');
