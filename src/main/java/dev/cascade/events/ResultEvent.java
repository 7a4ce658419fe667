package dev.cascade.events;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * Value of an `enrichment.results` record: the result item of one settled task with the workflow it belongs to,
 * its organisation, the enrichment type, the credits it costs and its provider trace. Key: workflow id.
 */
public record ResultEvent(
        @JsonUnwrapped ResultItem result,
        String workflowId,
        UUID orgId,
        String enrichmentType,
        double chargedCredits,
        List<TraceStep> trace) {}
