package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * How the waterfall drains when the process is told to stop (SIGTERM, keys `cascade.waterfall.drain.*`): it takes no
 * new task record at once, lets the tasks already running finish and publish their results within {@link #timeout()},
 * and leaves everything else to redelivery, so a rolling update does not pay vendors twice for a finished task.
 */
public interface DrainSettings {

    /**
     * How long, counted from SIGTERM, the tasks in flight may take to finish and have their results written before
     * the consumers close; a task still running then is left to redelivery (and calls its vendors again elsewhere).
     * Above the task deadline ({@code cascade.waterfall.task-deadline}, 25 s) plus a result write, so that a task
     * started just before SIGTERM can finish. The orchestrator's grace period (Kubernetes
     * {@code terminationGracePeriodSeconds}) must exceed it: docs/operations.md, "Shutdown". 0 drains nothing.
     */
    @WithDefault("30s")
    Duration timeout();
}
