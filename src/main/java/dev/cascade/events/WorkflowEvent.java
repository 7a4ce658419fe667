package dev.cascade.events;

import java.util.Map;
import java.util.UUID;

/** Value of an `enrichment.workflows` record: a workflow lifecycle step (`started`, `completed`). */
public record WorkflowEvent(
        String event,
        String workflowId,
        UUID orgId,
        String enrichmentType,
        String status,
        int totalProspects,
        Summary summary,
        String at,
        Map<String, String> custom) {

    /** Counters of a terminal workflow. */
    public record Summary(int total, int successful, int failed, int emailsFound, int phonesFound) {}
}
