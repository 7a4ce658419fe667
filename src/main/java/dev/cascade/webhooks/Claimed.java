package dev.cascade.webhooks;

import java.util.UUID;

/** One claimed delivery: the event, which attempt this is, and the log row that records it. */
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
        UUID attemptId) {}
