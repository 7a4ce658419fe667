package dev.cascade.config;

import io.smallrye.config.WithDefault;

/** The aggregator's settle transactions (keys {@code cascade.aggregator.*}). */
public interface AggregatorSettings {

    /**
     * The most result records one settle transaction takes. The polls that arrive while a settle runs are merged into
     * the next one up to this many records (a single larger poll is still settled whole); while this many wait, the
     * aggregator takes no further poll. Larger batches cost fewer transactions under load; smaller ones settle a
     * burst sooner.
     */
    @WithDefault("2000")
    int maxBatch();
}
