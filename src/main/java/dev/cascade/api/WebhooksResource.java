package dev.cascade.api;

import java.util.List;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.Principal;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.webhooks.DeliveryAttempt;
import dev.cascade.webhooks.DeliveryLog;

/** `GET /webhooks/deliveries` (§2.3): every attempt of a workflow's webhooks, oldest first. */
@Path("/api/v1/public/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks")
public class WebhooksResource {
    private final WorkflowReader reader;
    private final DeliveryLog log;
    private final CurrentPrincipal principal;

    public WebhooksResource(WorkflowReader reader, DeliveryLog log, CurrentPrincipal principal) {
        this.reader = reader;
        this.log = log;
        this.principal = principal;
    }

    /** The delivery log answer. */
    public record Deliveries(String workflowId, String webhookUrl, List<DeliveryAttempt> deliveries) {}

    @GET
    @Path("/deliveries")
    @Operation(summary = "The delivery log of a workflow's webhook")
    public Uni<Deliveries> deliveries(@QueryParam("workflow_id") String workflowId) {
        Principal who = principal.get();
        if (workflowId == null || workflowId.isBlank()) {
            throw new ApiException(400, "workflow_id is required.");
        }
        String id = workflowId.trim();
        if (!Ids.isWorkflowId(id)) {
            throw new ApiException(404, "Workflow not found");
        }
        return reader.workflow(who.orgId(), id).chain(view -> {
            if (view == null) {
                throw new ApiException(404, "Workflow not found");
            }
            return log.attempts(id).map(attempts -> new Deliveries(id, view.webhookUrl(), attempts));
        });
    }
}
