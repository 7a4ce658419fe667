package dev.cascade.api;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.Principal;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.TooManyRequests;
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
    @Operation(
            operationId = "redeliverWebhook",
            summary = "Send the workflow's completed event again (same webhook-id), through the whole schedule")
    @APIResponseSchema(value = Redelivery.class, responseCode = "202", responseDescription = "Redelivery scheduled")
    @APIResponse(responseCode = "400", description = "workflow_id missing")
    @APIResponse(responseCode = "404", description = "Workflow not found (unknown or another organisation's)")
    @APIResponse(
            responseCode = "409",
            description = "The workflow has no webhook_url, has not finished, or its delivery is still in progress")
    @APIResponse(
            responseCode = "429",
            description = "Rate limit exceeded, or the organisation's redeliveries this hour are used up")
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
            case LIMITED ->
                throw new TooManyRequests(
                        "Redelivery limit reached: at most " + redelivery.perHour()
                                + " redeliveries per hour for the organisation",
                        result.retryAfterSeconds());
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

    /** Page size of the delivery log when the request names none, and the largest it may name. */
    static final int DEFAULT_PAGE = 500;

    static final int MAX_PAGE = 1000;

    /** The delivery log answer; {@code nextCursor} only when more attempts follow. */
    public record Deliveries(
            String workflowId, String webhookUrl, List<DeliveryAttempt> deliveries, String nextCursor) {}

    @GET
    @Path("/deliveries")
    @Operation(
            operationId = "listWebhookDeliveries",
            summary = "The delivery log of a workflow's webhook, oldest attempt first, cursor-paginated"
                    + " (limit 1-1000, default 500; next_cursor while more follow)")
    @Parameter(
            name = "limit",
            in = ParameterIn.QUERY,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "500"))
    @APIResponseSchema(value = Deliveries.class, responseDescription = "One page of attempts")
    @APIResponse(responseCode = "400", description = "workflow_id missing, or a bad limit or cursor")
    @APIResponse(responseCode = "404", description = "Workflow not found (unknown or another organisation's)")
    public Uni<Deliveries> deliveries(
            @QueryParam("workflow_id") String workflowId,
            @QueryParam("limit") String limitParam,
            @QueryParam("cursor") String cursor) {
        Principal who = principal.get();
        String id = workflowId(workflowId);
        int limit = Cursors.limit(limitParam, DEFAULT_PAGE, MAX_PAGE);
        DeliveryLog.Position after = position(cursor);
        return reader.workflow(who.orgId(), id).chain(view -> {
            if (view == null) {
                throw new ApiException(404, "Workflow not found");
            }
            return log.attempts(who.orgId(), id, after, limit)
                    .map(page -> new Deliveries(
                            id, view.webhookUrl(), page.attempts(), page.next() == null ? null : cursor(page.next())));
        });
    }

    private static String cursor(DeliveryLog.Position position) {
        return Cursors.encode("d:" + position.attemptedAt() + "|" + position.attempt() + "|" + position.id());
    }

    private static DeliveryLog.Position position(String cursor) {
        String position = Cursors.decode(cursor);
        if (position == null) {
            return null;
        }
        String[] parts = position.startsWith("d:") ? position.substring(2).split("\\|", -1) : new String[0];
        UUID id = parts.length == 3 ? Ids.parseUuid(parts[2]) : null;
        if (id == null) {
            throw new ApiException(400, Cursors.INVALID);
        }
        try {
            return new DeliveryLog.Position(OffsetDateTime.parse(parts[0]), Integer.parseInt(parts[1]), id);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ApiException(400, Cursors.INVALID);
        }
    }
}
