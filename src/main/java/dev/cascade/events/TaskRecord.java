package dev.cascade.events;

import java.util.Map;
import java.util.UUID;

/** Value of an `enrichment.tasks` record: one contact to enrich. Key: task id. */
public record TaskRecord(
        UUID taskId,
        String workflowId,
        UUID orgId,
        UUID leadListId,
        int index,
        String enrichmentType,
        Contact contact,
        WaterfallSpec waterfall,
        Integer maxCacheAgeDays,
        Integer maxProspectsPerCompany,
        Map<String, String> custom) {}
