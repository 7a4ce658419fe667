package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * How long the dispatch sweeper keeps trying to publish a workflow's task records (`cascade.dispatch.*`). A workflow
 * whose records the broker has not acknowledged after {@link #maxAttempts()} sweeper attempts, or for
 * {@link #giveUpAfter()}, is given up: its unsettled tasks settle `failed` with error `dispatch_failed`, its hold is
 * released and its webhook sent, so no workflow holds credits forever.
 */
public interface DispatchSettings {

    /** Sweeper publish attempts (after the submit's own) before a workflow is given up. */
    @WithDefault("30")
    int maxAttempts();

    /**
     * How long a workflow's records may go unpublished (since its submit, or since a stalled workflow's first failed
     * re-publish) before it is given up at its next failed attempt.
     */
    @WithDefault("30m")
    Duration giveUpAfter();

    /** How long after a failed attempt the sweeper tries the workflow again. */
    @WithDefault("1m")
    Duration retryInterval();
}
