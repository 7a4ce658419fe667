package dev.cascade.aggregation;

import java.util.UUID;

/** A workflow that has just reached a terminal status; {@code webhook} when a completed event was recorded. */
public record CompletedWorkflow(String workflowId, UUID orgId, String status, boolean webhook) {}
