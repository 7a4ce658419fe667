package dev.cascade.api;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
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

import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.api.doc.StatusDoc;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;

/**
 * `GET /enrich/workflows`: the caller's organisation's workflows, newest first, a page at a time (Cascade's
 * addition, read-only; the console lists them). Each is the `workflow` object of `GET /enrich/status`.
 */
@Path("/api/v1/public/enrich/workflows")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Enrichment")
public class WorkflowsResource {
    private final WorkflowReader reader;
    private final CurrentPrincipal principal;

    public WorkflowsResource(WorkflowReader reader, CurrentPrincipal principal) {
        this.reader = reader;
        this.principal = principal;
    }

    @GET
    @Operation(operationId = "listWorkflows", summary = "The organisation's workflows, newest first, cursor-paginated")
    @APIResponseSchema(value = StatusDoc.WorkflowsPage.class, responseDescription = "One page of workflows")
    @APIResponse(responseCode = "400", description = "A bad limit or cursor")
    public Uni<Map<String, Object>> list(@QueryParam("limit") String limitParam, @QueryParam("cursor") String cursor) {
        int limit = Cursors.limit(limitParam, 50, 200);
        String[] before = position(cursor);
        OffsetDateTime beforeCreated = before == null ? null : OffsetDateTime.parse(before[0]);
        String beforeId = before == null ? null : before[1];
        return reader.list(principal.get().orgId(), limit, beforeCreated, beforeId)
                .map(page -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("workflows", page.workflows());
                    if (page.nextId() != null) {
                        answer.put("next_cursor", Cursors.encode("w:" + page.nextCreated() + "|" + page.nextId()));
                    }
                    return answer;
                });
    }

    /** The `created_at` and id a cursor holds, checked; null for no cursor. */
    private static String[] position(String cursor) {
        String position = Cursors.decode(cursor);
        if (position == null) {
            return null;
        }
        String[] parts = position.startsWith("w:") ? position.substring(2).split("\\|", -1) : new String[0];
        if (parts.length != 2 || !Ids.isWorkflowId(parts[1])) {
            throw new ApiException(400, Cursors.INVALID);
        }
        try {
            OffsetDateTime.parse(parts[0]);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, Cursors.INVALID);
        }
        return parts;
    }
}
