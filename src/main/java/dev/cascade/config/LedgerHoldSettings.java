package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** The open-credit-hold gauges (`cascade_ledger_holds_*`, keys `cascade.ledger-holds.*`), read by the aggregator role. */
public interface LedgerHoldSettings {

    /**
     * How often the gauges are read from PostgreSQL (one aggregate over unfinished workflows). The alert on old holds
     * looks for holds older than an hour, so half a minute is plenty; tests read them more often.
     */
    @WithDefault("30s")
    Duration refreshInterval();
}
