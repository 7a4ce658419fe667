-- A bounded dispatch (issue 13 item 4). dispatch_attempts: the sweeper's publish attempts since the broker last
-- acknowledged the workflow's records (counted when the sweeper claims it, so an attempt that crashes counts too;
-- a confirmed dispatch sets it back to 0). dispatch_failing_since: since when its records could not be published
-- (its creation for a workflow never dispatched; the first unconfirmed re-publish otherwise). Past
-- `cascade.dispatch.max-attempts` or `cascade.dispatch.give-up-after` the sweeper gives the workflow up: its unsettled
-- tasks settle `failed` with error `dispatch_failed`, its hold is released, and dispatch_abandoned_at says when.
ALTER TABLE workflows ADD COLUMN dispatch_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE workflows ADD COLUMN dispatch_failing_since timestamptz;
ALTER TABLE workflows ADD COLUMN dispatch_abandoned_at timestamptz;
