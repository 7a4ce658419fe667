-- The `started` lifecycle record (enrichment.workflows) is published beside the task records, but a workflow's
-- dispatch does not wait on it; this marks it acknowledged, and a sweep publishes what is left unmarked, finished
-- workflows included (at least once; consumers de-duplicate on ce_id).
ALTER TABLE workflows ADD COLUMN started_published_at timestamptz;
UPDATE workflows SET started_published_at = created_at;
CREATE INDEX workflows_started_unpublished ON workflows (created_at) WHERE started_published_at IS NULL;
