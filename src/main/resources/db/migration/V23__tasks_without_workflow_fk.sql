-- Tasks are inserted only by the submit statement that inserts their workflow (WorkflowWriter: the same statement, from
-- the workflow row it returns), and deleted before their workflow (Retention, in one transaction). The foreign key to
-- workflows therefore checked what that statement guarantees by construction, at the price of a row-level check and a
-- key-share lock of the workflow row for every task: 2.8 of the 9.6 ms a 250-contact submit statement took in
-- PostgreSQL, while the statement holds the organisation's row lock that every submit of the organisation waits for
-- (docs/performance.md).
ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_workflow_id_fkey;
