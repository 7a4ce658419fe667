package dev.cascade.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

import dev.cascade.accounts.Principal;
import dev.cascade.accounts.RateDecision;
import dev.cascade.aggregation.ResultExport;
import dev.cascade.aggregation.ResultExport.Format;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;

/**
 * `GET /enrich/results` (§4.7): every result row of a workflow as NDJSON or CSV, streamed. The workflow is looked up
 * before anything is written, so an unknown or foreign one is an ordinary 404; after that the rows are written as
 * they are read.
 */
@Path("/api/v1/public/enrich/results")
@Tag(name = "Enrichment")
public class ExportResource {
    static final String NDJSON = "application/x-ndjson";
    static final String CSV = "text/csv; charset=utf-8";
    static final String MISSING_WORKFLOW = "Provide workflow_id.";

    private final WorkflowReader reader;
    private final ResultExport export;
    private final CurrentPrincipal principal;

    public ExportResource(WorkflowReader reader, ResultExport export, CurrentPrincipal principal) {
        this.reader = reader;
        this.export = export;
        this.principal = principal;
    }

    // No @Produces: the media type depends on `format`, and RestMulti carries it as a header.
    @GET
    @Operation(
            operationId = "exportResults",
            summary = "Export every result row of a workflow",
            description = "format=ndjson (default; one result item per line) or format=csv (documented columns);"
                    + " without format, Accept: text/csv selects CSV. Streamed, never truncated.")
    @APIResponse(
            responseCode = "200",
            description = "Every result row, streamed: NDJSON lines are ResultItem objects; CSV has a header row",
            headers =
                    @Header(name = "Content-Disposition", description = "CSV: attachment; filename=<workflow_id>.csv"),
            content = {
                @Content(mediaType = NDJSON, schema = @Schema(type = SchemaType.STRING)),
                @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING))
            })
    @APIResponse(responseCode = "400", description = "workflow_id missing")
    @APIResponse(responseCode = "404", description = "Workflow not found (unknown or another organisation's)")
    @APIResponse(responseCode = "422", description = "format is neither csv nor ndjson")
    public RestMulti<Buffer> results(
            @QueryParam("workflow_id") String workflowId,
            @QueryParam("format") String format,
            @Context HttpHeaders headers) {
        Principal who = principal.get();
        if (workflowId == null || workflowId.isBlank()) {
            throw new ApiException(400, MISSING_WORKFLOW);
        }
        Format chosen = format(format, headers);
        String id = workflowId.trim();
        if (!Ids.isWorkflowId(id)) {
            throw new ApiException(404, "Workflow not found");
        }
        // The streaming response is written outside the filter chain that adds these, so they travel with it.
        RateDecision rate = principal.rate();
        Uni<String> found = reader.workflow(who.orgId(), id).map(view -> {
            if (view == null) {
                throw new ApiException(404, "Workflow not found");
            }
            return view.workflowId();
        });
        return RestMulti.fromUniResponse(
                found,
                workflow -> export.stream(who.orgId(), workflow, chosen),
                workflow -> responseHeaders(workflow, chosen, rate));
    }

    /** `format` when given (csv or ndjson, any case), else the first of the two the Accept header names, else NDJSON. */
    static Format format(String format, HttpHeaders headers) {
        if (format != null && !format.isBlank()) {
            return switch (format.trim().toLowerCase(Locale.ROOT)) {
                case "csv" -> Format.CSV;
                case "ndjson" -> Format.NDJSON;
                default ->
                    throw new ValidationException(List.of(new ValidationProblem(
                            "enum", List.of("query", "format"), "Input should be 'csv' or 'ndjson'", format)));
            };
        }
        List<MediaType> accepted;
        try {
            accepted = headers.getAcceptableMediaTypes();
        } catch (RuntimeException e) {
            // A malformed Accept header only loses the preference; `format` is the documented switch.
            return Format.NDJSON;
        }
        for (MediaType type : accepted) {
            if (type.getType().equalsIgnoreCase("text") && type.getSubtype().equalsIgnoreCase("csv")) {
                return Format.CSV;
            }
            if (type.getType().equalsIgnoreCase("application")
                    && type.getSubtype().equalsIgnoreCase("x-ndjson")) {
                return Format.NDJSON;
            }
        }
        return Format.NDJSON;
    }

    private static Map<String, List<String>> responseHeaders(String workflowId, Format format, RateDecision rate) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (format == Format.CSV) {
            headers.put(HttpHeaders.CONTENT_TYPE, List.of(CSV));
            // The id is `public_bulk_` + a UUID (checked above), so it needs no quoting or escaping.
            headers.put("Content-Disposition", List.of("attachment; filename=\"" + workflowId + ".csv\""));
        } else {
            headers.put(HttpHeaders.CONTENT_TYPE, List.of(NDJSON));
        }
        AuthFilter.rateHeaders(headers, rate);
        return headers;
    }
}
