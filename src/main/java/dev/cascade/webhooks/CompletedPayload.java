package dev.cascade.webhooks;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of the `enrichment.completed` webhook (§6.2). */
record CompletedPayload(
        String event,
        String workflowId,
        UUID leadListId,
        String enrichmentType,
        String status,
        Summary summary,
        List<JsonNode> results,
        int resultsLimit,
        int resultsTruncated,
        String resultsEndpoint,
        String completedAt,
        Map<String, String> custom) {

    record Summary(int total, int successful, int failed, int emailsFound, int phonesFound) {}
}
