-- Vendor quotas shared by every gateway process (issue 13 item 11). A vendor's rate limit is per account, so the
-- permits are handed out from one row per provider: `next_at` is the moment (database clock, epoch milliseconds) of
-- the provider's next free permit. Permits are moments spaced evenly; a lease takes the next ones, never a moment in
-- the past (idle time is not banked), so no burst is ever granted. A permit not used at its moment is lost: it is
-- never handed out again. Logged (not UNLOGGED): losing the row in a crash would hand out permits already leased.
CREATE TABLE provider_quota_pace (
    provider  text             PRIMARY KEY,
    next_at   double precision NOT NULL
);

-- Leases up to `wanted` permits of `provider`, spaced `spacing` ms apart, none later than `horizon` ms from now.
-- Answers how many were granted and in how many ms the first one is due (when none was granted: in how many ms the
-- next free one is), and that moment itself (epoch ms, database clock). One round trip; the row lock serialises leases of one provider across every process, and the
-- clock is read after the lock is held, so a lease never starts in the past of the lease before it.
CREATE FUNCTION provider_quota_lease(p_provider text, p_wanted integer, p_spacing double precision,
                                     p_horizon double precision)
    RETURNS TABLE (granted integer, first_in double precision, first_at double precision)
    LANGUAGE plpgsql AS
$$
DECLARE
    v_next    double precision;
    v_now     double precision;
    v_base    double precision;
    v_granted integer := 0;
BEGIN
    SELECT q.next_at INTO v_next FROM provider_quota_pace q WHERE q.provider = p_provider FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO provider_quota_pace (provider, next_at) VALUES (p_provider, 0)
            ON CONFLICT (provider) DO NOTHING;
        SELECT q.next_at INTO v_next FROM provider_quota_pace q WHERE q.provider = p_provider FOR UPDATE;
    END IF;
    v_now := extract(epoch FROM clock_timestamp()) * 1000;
    v_base := greatest(v_next, v_now);
    IF p_wanted > 0 AND v_base <= v_now + greatest(p_horizon, 0) THEN
        v_granted := least(p_wanted::bigint,
                           floor((v_now + greatest(p_horizon, 0) - v_base) / p_spacing)::bigint + 1)::integer;
        UPDATE provider_quota_pace SET next_at = v_base + v_granted * p_spacing WHERE provider = p_provider;
    END IF;
    RETURN QUERY SELECT v_granted, v_base - v_now, v_base;
END
$$;
