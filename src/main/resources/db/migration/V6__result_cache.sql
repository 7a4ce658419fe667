-- Result cache (§4.3): a settled result per organisation, enrichment type and the contact's normalised identity.
-- Entries are overwritten by newer results and purged after the configured retention.
CREATE TABLE result_cache (
    org_id          uuid        NOT NULL,
    enrichment_type text        NOT NULL,
    identity        text        NOT NULL,
    item            jsonb       NOT NULL,
    credits         numeric     NOT NULL DEFAULT 0,
    cached_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, enrichment_type, identity)
);

CREATE INDEX result_cache_cached_at ON result_cache (cached_at);
