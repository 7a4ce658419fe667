package dev.cascade.api;

import java.util.List;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.Principal;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.webhooks.DeliveryAttempt;
import dev.cascade.webhooks.DeliveryLog;
import dev.cascade.webhooks.WebhookRedelivery;

/**
 * `GET /webhooks/deliveries` (§2.3): every attempt of a workflow's webhooks, oldest first; `POST /webhooks/redeliver`
 * (§4.8): the completed event sent again.
 */
@Path("/api/v1/public/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks")
public class WebhooksResource {
    private final WorkflowReader reader;
    private final DeliveryLog log;
    private final CurrentPrincipal principal;
    private final WebhookRedelivery redelivery;

    public WebhooksResource(
            WorkflowReader reader, DeliveryLog log, CurrentPrincipal principal, WebhookRedelivery redelivery) {
        this.reader = reader;
        this.log = log;
        this.principal = principal;
        this.redelivery = redelivery;
    }

    /** The answer of an accepted redelivery. */
    public record Redelivery(String workflowId, String webhookId, String status) {}

    @POST
    @Path("/redeliver")
    @Operation(summary = "Send the workflow's completed event again (same webhook-id), through the whole schedule")
    public Uni<Response> redeliver(@QueryParam("workflow_id") String workflowId) {
        Principal who = principal.get();
        String id = workflowId(workflowId);
        return redelivery.redeliver(who.orgId(), id).map(result -> switch (result.outcome()) {
            case SCHEDULED ->
                Response.accepted(new Redelivery(id, result.webhookId(), "pending"))
                        .build();
            case UNKNOWN_WORKFLOW -> throw new ApiException(404, "Workflow not found");
            case NO_WEBHOOK -> throw new ApiException(409, "Workflow has no webhook_url");
            case NOT_FINISHED -> throw new ApiException(409, "Workflow has not finished yet");
            case IN_PROGRESS -> throw new ApiException(409, "Webhook delivery still in progress");
        });
    }

    private static String workflowId(String workflowId) {
        if (workflowId == null || workflowId.isBlank()) {
            throw new ApiException(400, "workflow_id is required.");
        }
        String id = workflowId.trim();
        if (!Ids.isWorkflowId(id)) {
            throw new ApiException(404, "Workflow not found");
        }
        return id;
    }

    /** The delivery log answer. */
    public record Deliveries(String workflowId, String webhookUrl, List<DeliveryAttempt> deliveries) {}

    @GET
    @Path("/deliveries")
    @Operation(summary = "The delivery log of a workflow's webhook")
    public Uni<Deliveries> deliveries(@QueryParam("workflow_id") String workflowId) {
        Principal who = principal.get();
        String id = workflowId(workflowId);
        return reader.workflow(who.orgId(), id).chain(view -> {
            if (view == null) {
                throw new ApiException(404, "Workflow not found");
            }
            return log.attempts(who.orgId(), id).map(attempts -> new Deliveries(id, view.webhookUrl(), attempts));
        });
    }
}
