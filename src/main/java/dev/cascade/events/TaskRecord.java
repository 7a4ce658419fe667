package dev.cascade.events;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

/**
 * Value of an `enrichment.tasks` record: one contact to enrich. Key: the workflow id. {@code maxCredits} is the workflow's
 * budget cap (§4.4), when it has one.
 */
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
        Map<String, String> custom,
        BigDecimal maxCredits) {

    /** The same task with a lower prospect cap (what its share of the budget pays for). */
    public TaskRecord withMaxProspects(int cap) {
        return new TaskRecord(
                taskId,
                workflowId,
                orgId,
                leadListId,
                index,
                enrichmentType,
                contact,
                waterfall,
                maxCacheAgeDays,
                cap,
                custom,
                maxCredits);
    }
}
