package dev.cascade.api;

import java.util.Map;
import java.util.UUID;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.Principal;
import dev.cascade.aggregation.WorkflowCancel;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.api.doc.StatusDoc;
import dev.cascade.config.CascadeConfig;
import dev.cascade.intake.BulkRequestParser;
import dev.cascade.intake.BulkResponse;
import dev.cascade.intake.IntakeService;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;

/** `POST /enrich/bulk` and `GET /enrich/status` (§2.1, §2.2). */
@Path("/api/v1/public/enrich")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Enrichment")
public class EnrichResource {
    static final String EXACTLY_ONE = "Provide exactly one of workflow_id or task_id.";

    private final IntakeService intake;
    private final BulkRequestParser parser;
    private final WorkflowReader reader;
    private final CurrentPrincipal principal;
    private final ObjectMapper mapper;
    private final CascadeConfig config;
    private final WorkflowCancel cancels;

    public EnrichResource(
            IntakeService intake,
            BulkRequestParser parser,
            WorkflowReader reader,
            CurrentPrincipal principal,
            ObjectMapper mapper,
            CascadeConfig config,
            WorkflowCancel cancels) {
        this.cancels = cancels;
        this.intake = intake;
        this.parser = parser;
        this.reader = reader;
        this.principal = principal;
        this.mapper = mapper;
        this.config = config;
    }

    @POST
    @Path("/bulk")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "submitBulkEnrichment", summary = "Submit up to 250 contacts for enrichment")
    @RequestBody(
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = BulkRequestDoc.class)))
    @APIResponse(
            responseCode = "200",
            description = "Accepted (or, with `Idempotent-Replayed: true`, the first answer to this Idempotency-Key)",
            headers = @Header(name = "Idempotent-Replayed", ref = "Idempotent-Replayed"),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = BulkResponse.class)))
    @APIResponse(
            responseCode = "400",
            description = "Malformed JSON body, no contacts, over 250 contacts, or a malformed Idempotency-Key")
    @APIResponse(responseCode = "402", description = "Insufficient credits")
    @APIResponse(responseCode = "409", description = "The first request with this Idempotency-Key is still in progress")
    @APIResponse(
            responseCode = "422",
            description =
                    "Invalid fields (every offending contact listed), or Idempotency-Key reused with another body")
    @APIResponse(
            responseCode = "429",
            description = "Rate limit exceeded, or an organisation quota (pending workflows, contacts per day) is full")
    public Uni<Response> bulk(byte[] body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Principal who = principal.get();
        var request =
                parser.parse(JsonBodies.parse(mapper, body, config.intake().maxBodyBytes()));
        return intake.submit(who, request, idempotencyKey).map(submitted -> {
            Response.ResponseBuilder ok = Response.ok(submitted.response());
            if (submitted.replayed()) {
                ok.header("Idempotent-Replayed", "true");
            }
            return ok.build();
        });
    }

    @POST
    @Path("/cancel")
    @Operation(
            operationId = "cancelWorkflow",
            summary = "Cancel a workflow: every unsettled task settles failed (`cancelled`), its hold released; the"
                    + " workflow is terminal at once")
    @APIResponseSchema(value = WorkflowCancel.Cancelled.class, responseDescription = "Cancelled")
    @APIResponse(responseCode = "400", description = "workflow_id missing")
    @APIResponse(responseCode = "404", description = "Workflow not found (unknown or another organisation's)")
    @APIResponse(responseCode = "409", description = "The workflow has already finished")
    public Uni<WorkflowCancel.Cancelled> cancel(@QueryParam("workflow_id") String workflowId) {
        Principal who = principal.get();
        if (workflowId == null || workflowId.isBlank()) {
            throw new ApiException(400, "Provide workflow_id.");
        }
        String id = workflowId.trim();
        if (!Ids.isWorkflowId(id)) {
            throw new ApiException(404, "Workflow not found");
        }
        return cancels.cancel(who.orgId(), id).map(cancelled -> {
            if (cancelled == null) {
                throw new ApiException(404, "Workflow not found");
            }
            return cancelled;
        });
    }

    @GET
    @Path("/status")
    @Operation(operationId = "getEnrichmentStatus", summary = "Poll a workflow or a task")
    @APIResponse(
            responseCode = "200",
            description = "`{\"workflow\": …}` for a workflow_id, `{\"task\": …}` for a task_id",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = StatusDoc.Answer.class)))
    @APIResponse(responseCode = "400", description = "Provide exactly one of workflow_id or task_id.")
    @APIResponse(responseCode = "404", description = "Workflow not found / Task not found")
    @APIResponse(responseCode = "422", description = "include_results or include_trace is not a boolean")
    public Uni<Map<String, Object>> status(
            @QueryParam("workflow_id") String workflowId,
            @QueryParam("task_id") String taskId,
            @QueryParam("include_results") String includeResults,
            @QueryParam("include_trace") String includeTrace) {
        Principal who = principal.get();
        boolean byWorkflow = workflowId != null && !workflowId.isBlank();
        boolean byTask = taskId != null && !taskId.isBlank();
        if (byWorkflow == byTask) {
            throw new ApiException(400, EXACTLY_ONE);
        }
        if (byWorkflow) {
            boolean results = Flags.parse(includeResults, "include_results");
            String id = workflowId.trim();
            if (!Ids.isWorkflowId(id)) {
                throw new ApiException(404, "Workflow not found");
            }
            return reader.workflow(who.orgId(), id).chain(view -> {
                if (view == null) {
                    throw new ApiException(404, "Workflow not found");
                }
                if (!results) {
                    return Uni.createFrom().item(Map.<String, Object>of("workflow", view));
                }
                return reader.results(who.orgId(), id, Integer.MAX_VALUE)
                        .map(page -> Map.<String, Object>of("workflow", view.withResults(page.items())));
            });
        }
        boolean trace = Flags.parse(includeTrace, "include_trace");
        UUID id = Ids.parseUuid(taskId.trim());
        if (id == null) {
            throw new ApiException(404, "Task not found");
        }
        return reader.task(who.orgId(), id, trace).map(task -> {
            if (task == null) {
                throw new ApiException(404, "Task not found");
            }
            return Map.<String, Object>of("task", task);
        });
    }
}
