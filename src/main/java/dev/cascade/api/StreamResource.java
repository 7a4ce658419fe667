package dev.cascade.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.cascade.accounts.Principal;
import dev.cascade.accounts.RateDecision;
import dev.cascade.accounts.StreamSlots;
import dev.cascade.accounts.StreamSlots.Slot;
import dev.cascade.aggregation.ProgressStream;
import dev.cascade.aggregation.ProgressStream.Event;
import dev.cascade.aggregation.ProgressStream.Position;
import dev.cascade.aggregation.WorkflowReader;
import dev.cascade.aggregation.WorkflowView;
import dev.cascade.config.CascadeConfig;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;

/**
 * `GET /enrich/stream` (§4.5): a workflow's progress as Server-Sent Events. The workflow and `Last-Event-ID` are
 * checked before anything is written, so refusals are ordinary JSON answers.
 *
 * <p>The events are framed here and sent as a plain streamed body rather than through Quarkus REST's SSE support:
 * that path commits the 200 and its headers before the stream is subscribed, which leaves no room for a 404 found by
 * a database read, and it ignores the headers a {@link RestMulti} carries.
 *
 * <p>Each open stream holds a slot of its key's and organisation's caps ({@link StreamSlots}), taken after every other
 * check and given back when the stream ends, however it ends (terminal event, longest duration, client gone).
 */
@Path("/api/v1/public/enrich/stream")
@Tag(name = "Enrichment")
public class StreamResource {
    static final String EVENT_STREAM = "text/event-stream";
    static final String INVALID_LAST_EVENT_ID = "Invalid Last-Event-ID";
    /** Asks an EventSource to wait 2 s before it reconnects. */
    static final String OPENING = "retry: 2000\n\n";

    static final String HEARTBEAT = ": heartbeat\n\n";

    static final String TOO_MANY_STREAMS = "Too many open streams";

    private final WorkflowReader reader;
    private final ProgressStream progress;
    private final CurrentPrincipal principal;
    private final ObjectMapper mapper;
    private final StreamSlots slots;
    private final long retryAfterSeconds;

    public StreamResource(
            WorkflowReader reader,
            ProgressStream progress,
            CurrentPrincipal principal,
            ObjectMapper mapper,
            StreamSlots slots,
            CascadeConfig config) {
        this.reader = reader;
        this.progress = progress;
        this.principal = principal;
        this.mapper = mapper;
        this.slots = slots;
        this.retryAfterSeconds =
                Math.max(1, config.stream().limits().retryAfter().toSeconds());
    }

    @GET
    @Operation(
            operationId = "streamWorkflowProgress",
            summary = "Follow a workflow as Server-Sent Events",
            description = "text/event-stream: a `workflow` event per status change and a `task` event (the result"
                    + " item) per settled task, ending with the terminal `workflow` event. Send the last event's id"
                    + " as Last-Event-ID to resume without gaps; 204 when there is nothing left to send.")
    @APIResponse(
            responseCode = "200",
            description =
                    "Events: `task` (data: a ResultItem) and `workflow` (data: a WorkflowStatus), each with an id",
            content = @Content(mediaType = EVENT_STREAM, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "204", description = "The client already has the terminal event: stop reconnecting")
    @APIResponse(responseCode = "400", description = "workflow_id missing, or an invalid Last-Event-ID")
    @APIResponse(responseCode = "404", description = "Workflow not found (unknown or another organisation's)")
    @APIResponse(
            responseCode = "429",
            description = "Rate limit exceeded, or the key or organisation has its cap of streams open")
    public RestMulti<Buffer> stream(
            @QueryParam("workflow_id") String workflowId, @HeaderParam("Last-Event-ID") String lastEventId) {
        Principal who = principal.get();
        if (workflowId == null || workflowId.isBlank()) {
            throw new ApiException(400, ExportResource.MISSING_WORKFLOW);
        }
        Position from = Position.START;
        if (lastEventId != null && !lastEventId.isBlank()) {
            from = Position.parse(lastEventId.trim());
            if (from == null) {
                throw new ApiException(400, INVALID_LAST_EVENT_ID);
            }
        }
        String id = workflowId.trim();
        if (!Ids.isWorkflowId(id)) {
            throw new ApiException(404, "Workflow not found");
        }
        Position start = from;
        // The streamed response is written outside the filter chain that adds these, so they travel with it.
        RateDecision rate = principal.rate();
        Uni<Opened> found = reader.workflow(who.orgId(), id).map(workflow -> {
            if (workflow == null) {
                throw new ApiException(404, "Workflow not found");
            }
            if (start.settled() > workflow.totalProspects()) {
                throw new ApiException(400, INVALID_LAST_EVENT_ID);
            }
            if (ProgressStream.delivered(workflow, start)) {
                throw new NothingLeft();
            }
            // Last, so that only a stream that will start holds a slot.
            Slot slot = slots.acquire(who);
            if (slot == null) {
                throw new TooManyStreams();
            }
            return new Opened(workflow, slot);
        });
        return RestMulti.fromUniResponse(
                found,
                opened -> Multi.createBy()
                        .concatenating()
                        .streams(
                                Multi.createFrom().item(() -> Buffer.buffer(OPENING)),
                                progress.follow(who.orgId(), opened.workflow().workflowId(), start)
                                        .map(this::frame))
                        .onTermination()
                        .invoke(opened.slot()::release),
                opened -> responseHeaders(rate));
    }

    /** A stream about to start: its workflow and the slot it holds until it ends. */
    private record Opened(WorkflowView workflow, Slot slot) {}

    /**
     * The key or organisation has its cap of streams open: 429 in the contract's shape, with `Retry-After` (and the
     * `RateLimit-*` headers the response filter adds to every counted request).
     */
    @ServerExceptionMapper
    public Response tooManyStreams(TooManyStreams e) {
        return Response.status(429)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds)
                .entity(new ErrorBody(TOO_MANY_STREAMS))
                .build();
    }

    /**
     * A client that already has the terminal event gets 204, which tells an EventSource to stop reconnecting (a 200
     * that closes at once would have it reconnect every 2 s).
     */
    @ServerExceptionMapper
    public Response nothingLeft(NothingLeft e) {
        return Response.noContent().build();
    }

    /** One event as the text/event-stream format writes it. JSON has no raw line breaks, so data is one line. */
    private Buffer frame(Event event) {
        if (event instanceof ProgressStream.Task task) {
            return Buffer.buffer(block(task.id(), "task", task.item()));
        }
        if (event instanceof ProgressStream.Status status) {
            return Buffer.buffer(block(status.id(), "workflow", status.workflow()));
        }
        return Buffer.buffer(HEARTBEAT);
    }

    private String block(Position id, String name, Object data) {
        try {
            // No `id:` line leaves the client's last event id as it was (a prospect row before its task's last).
            String idLine = id == null ? "" : "id: " + id + "\n";
            return idLine + "event: " + name + "\ndata: " + mapper.writeValueAsString(data) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A " + name + " event cannot be written", e);
        }
    }

    private static Map<String, List<String>> responseHeaders(RateDecision rate) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put(HttpHeaders.CONTENT_TYPE, List.of(EVENT_STREAM));
        headers.put(HttpHeaders.CACHE_CONTROL, List.of("no-cache"));
        // nginx and similar proxies would otherwise buffer the stream.
        headers.put("X-Accel-Buffering", List.of("no"));
        AuthFilter.rateHeaders(headers, rate);
        return headers;
    }

    /** The key or organisation already has its cap of streams open. */
    static final class TooManyStreams extends RuntimeException {
        TooManyStreams() {
            super(null, null, false, false);
        }
    }

    /** The client has had every event of a finished workflow. */
    static final class NothingLeft extends RuntimeException {
        NothingLeft() {
            super(null, null, false, false);
        }
    }
}
