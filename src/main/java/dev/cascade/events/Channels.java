package dev.cascade.events;

/** Reactive Messaging channel names; topics behind them are configuration (`cascade.topics.*`). */
public final class Channels {
    /** Intake publishes task records (topic `enrichment.tasks`). */
    public static final String TASKS_OUT = "tasks-out";
    /** Waterfall consumers read task records. */
    public static final String TASKS_IN = "tasks-in";
    /** A cancel publishes the `cancelled` results of the tasks it settled (topic `enrichment.results`). */
    public static final String CANCELLED_RESULTS_OUT = "cancelled-results-out";
    /** The aggregator reads result records in batches. */
    public static final String RESULTS_IN = "results-in";
    /** Workflow lifecycle records (topic `enrichment.workflows`). */
    public static final String WORKFLOWS_OUT = "workflows-out";

    private Channels() {}
}
