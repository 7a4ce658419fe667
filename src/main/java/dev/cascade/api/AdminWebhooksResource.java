package dev.cascade.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.webhooks.BacklogReader;
import dev.cascade.webhooks.BacklogReader.Backlog;

/** Operator view of the webhook outbox (read-only): what is waiting to be delivered, and for whom. */
@Path("/api/v1/admin/webhooks/backlog")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class AdminWebhooksResource {
    private final BacklogReader backlog;

    public AdminWebhooksResource(BacklogReader backlog) {
        this.backlog = backlog;
    }

    @GET
    @Operation(
            operationId = "getWebhookBacklog",
            summary = "Open webhook events by state, the organisations holding them and the oldest ones")
    @APIResponseSchema(value = Backlog.class, responseDescription = "The backlog")
    @APIResponse(responseCode = "400", description = "A bad limit")
    public Uni<Backlog> backlog(@QueryParam("limit") String limitParam) {
        return backlog.read(Cursors.limit(limitParam, 20, 100));
    }
}
