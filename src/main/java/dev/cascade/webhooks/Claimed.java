package dev.cascade.webhooks;

import java.util.UUID;

/**
 * One claimed delivery: the event, which attempt this is, and the log row that records it; with tracing on, the
 * workflow's `traceparent` (null otherwise, or when the submit was not traced).
 */
record Claimed(
        String eventId,
        UUID orgId,
        String workflowId,
        UUID taskId,
        String eventType,
        String url,
        int attempt,
        int scheduleStart,
        String payload,
        UUID attemptId,
        String traceparent) {}
