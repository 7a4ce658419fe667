package dev.cascade.webhooks;

import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Json;

/** Builds webhook bodies from the settled workflow (built once, on the first attempt, then stored). */
@ApplicationScoped
class WebhookPayloads {
    static final String COMPLETED = "enrichment.completed";

    private final WorkflowReader reader;
    private final Json json;
    private final CascadeConfig config;

    WebhookPayloads(WorkflowReader reader, Json json, CascadeConfig config) {
        this.reader = reader;
        this.json = json;
        this.config = config;
    }

    Uni<String> completed(UUID orgId, String workflowId) {
        int limit = config.webhooks().resultsLimit();
        return reader.workflow(orgId, workflowId).chain(workflow -> {
            if (workflow == null) {
                return Uni.createFrom().failure(new IllegalStateException("workflow " + workflowId + " is gone"));
            }
            return reader.results(workflowId, limit)
                    .map(page -> new CompletedPayload(
                            COMPLETED,
                            workflowId,
                            workflow.leadListId(),
                            workflow.enrichmentType(),
                            workflow.status(),
                            new CompletedPayload.Summary(
                                    workflow.totalProspects(),
                                    workflow.completedProspects(),
                                    workflow.failedProspects(),
                                    workflow.emailsFound(),
                                    workflow.phonesFound()),
                            page.items(),
                            limit,
                            page.total() - page.items().size(),
                            "/api/v1/public/enrich/status?workflow_id=" + workflowId + "&include_results=true",
                            workflow.completedAt(),
                            workflow.custom()))
                    .map(json::write);
        });
    }
}
