package dev.cascade.aggregation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A workflow as `GET /enrich/status?workflow_id=…` shows it (§2.2); null fields are left out. */
public record WorkflowView(
        String workflowId,
        String status,
        int totalProspects,
        int completedProspects,
        int failedProspects,
        int emailsFound,
        int phonesFound,
        String startedAt,
        String completedAt,
        String enrichmentType,
        UUID leadListId,
        Double creditsCharged,
        Map<String, String> custom,
        List<JsonNode> results,
        // Not part of the status answer; used by the webhook payload.
        @com.fasterxml.jackson.annotation.JsonIgnore UUID orgId,
        @com.fasterxml.jackson.annotation.JsonIgnore String webhookUrl) {

    public WorkflowView withResults(List<JsonNode> rows) {
        return new WorkflowView(
                workflowId,
                status,
                totalProspects,
                completedProspects,
                failedProspects,
                emailsFound,
                phonesFound,
                startedAt,
                completedAt,
                enrichmentType,
                leadListId,
                creditsCharged,
                custom,
                rows,
                orgId,
                webhookUrl);
    }
}
