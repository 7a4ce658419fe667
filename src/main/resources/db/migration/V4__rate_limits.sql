-- Rate limits (§10): per-organisation overrides of the configured defaults, and the shared counters every gateway
-- replica increments. Counters are fixed one-minute windows; losing them in a crash only forgives some requests,
-- so the table is UNLOGGED (no WAL, much cheaper writes).
ALTER TABLE organizations ADD COLUMN requests_per_minute integer;
ALTER TABLE organizations ADD COLUMN key_requests_per_minute integer;

CREATE UNLOGGED TABLE rate_limit_windows (
    scope         text        NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer     NOT NULL,
    PRIMARY KEY (scope, window_start)
);
