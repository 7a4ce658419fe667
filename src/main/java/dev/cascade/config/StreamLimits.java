package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * How many progress streams (SSE, §4.5) one tenant may hold open and how the shared poller that serves them reads
 * PostgreSQL (keys `cascade.stream.limits.*`). The caps are counted per gateway process: each replica allows them on
 * its own, so with N replicas behind a balancer a key can hold up to N times the cap.
 */
public interface StreamLimits {

    /** Most streams one API key may have open at once in one gateway process; beyond it a new one answers 429. */
    @WithDefault("10")
    int perKey();

    /** Most streams one organisation (all its keys) may have open at once in one gateway process; beyond it 429. */
    @WithDefault("50")
    int perOrganization();

    /**
     * `Retry-After` of a stream refused for a cap: a slot frees only when another stream of the key or organisation
     * ends, which the gateway cannot foresee, so this is a hint for the client's back-off.
     */
    @WithDefault("5s")
    Duration retryAfter();

    /**
     * Most workflows one read of the shared poller asks for: each poll reads every workflow with open streams in
     * statements of at most this many, so a poll costs one statement per this many workflows, whatever the number of
     * streams.
     */
    @WithDefault("500")
    int workflowsPerRead();
}
