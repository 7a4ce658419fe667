package dev.cascade.api;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.api.doc.LeadsDoc;
import dev.cascade.leads.LeadListReader;
import dev.cascade.leads.LeadListReader.LeadRow;
import dev.cascade.leads.LeadListReader.Position;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.Times;

/** `GET /lead-lists` and `GET /lead-lists/{id}/leads` (§7), read-only and cursor-paginated. */
@Path("/api/v1/public/lead-lists")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Lead lists")
public class LeadListsResource {
    static final String NOT_FOUND = "Lead list not found";

    private final LeadListReader reader;
    private final CurrentPrincipal principal;
    private final ObjectMapper mapper;

    public LeadListsResource(LeadListReader reader, CurrentPrincipal principal, ObjectMapper mapper) {
        this.reader = reader;
        this.principal = principal;
        this.mapper = mapper;
    }

    /** A lead list as listed. */
    public record ListView(UUID leadListId, String name, boolean isDefault, long leadCount, String createdAt) {}

    @GET
    @Operation(operationId = "listLeadLists", summary = "The organisation's lead lists")
    @APIResponseSchema(value = LeadsDoc.Lists.class, responseDescription = "Every lead list")
    public Uni<Map<String, List<ListView>>> lists() {
        return reader.lists(principal.get().orgId())
                .map(lists -> Map.of(
                        "lead_lists",
                        lists.stream()
                                .map(l -> new ListView(
                                        l.id(), l.name(), l.isDefault(), l.leadCount(), Times.format(l.createdAt())))
                                .toList()));
    }

    @GET
    @Path("/{id}/leads")
    @Operation(operationId = "listLeads", summary = "The leads of a list, oldest first, cursor-paginated")
    @Parameter(
            name = "limit",
            in = ParameterIn.QUERY,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "500", defaultValue = "100"))
    @APIResponseSchema(value = LeadsDoc.Page.class, responseDescription = "One page of leads")
    @APIResponse(responseCode = "400", description = "A bad limit or cursor")
    @APIResponse(responseCode = "404", description = "Lead list not found (unknown or another organisation's)")
    public Uni<ObjectNode> leads(
            @PathParam("id") String id, @QueryParam("limit") String limitParam, @QueryParam("cursor") String cursor) {
        UUID orgId = principal.get().orgId();
        UUID listId = Ids.parseUuid(id);
        if (listId == null) {
            throw new ApiException(404, NOT_FOUND);
        }
        int limit = Cursors.limit(limitParam, 100, 500);
        Position after = position(cursor);
        return reader.exists(orgId, listId)
                .chain(exists -> {
                    if (!exists) {
                        throw new ApiException(404, NOT_FOUND);
                    }
                    return reader.leads(orgId, listId, after, limit + 1);
                })
                .map(rows -> {
                    boolean more = rows.size() > limit;
                    List<LeadRow> page = more ? rows.subList(0, limit) : rows;
                    ObjectNode answer = mapper.createObjectNode();
                    answer.put("lead_list_id", listId.toString());
                    var leads = answer.putArray("leads");
                    page.forEach(row -> leads.add(lead(row)));
                    if (more) {
                        LeadRow last = page.get(page.size() - 1);
                        answer.put(
                                "next_cursor",
                                Cursors.encode("p:" + last.createdAt() + "|" + last.workflowId() + "|" + last.index()));
                    }
                    return answer;
                });
    }

    /** A lead: which task and workflow it came from, the contact as submitted, and its §5.3 result fields. */
    private ObjectNode lead(LeadRow row) {
        ObjectNode lead = mapper.createObjectNode();
        lead.put("lead_id", row.taskId().toString());
        lead.put("task_id", row.taskId().toString());
        lead.put("workflow_id", row.workflowId());
        lead.put("status", row.status());
        lead.put("created_at", Times.format(row.createdAt()));
        lead.set("contact", parse(row.contact()));
        if (row.result() != null) {
            JsonNode result = parse(row.result());
            Iterator<Map.Entry<String, JsonNode>> fields = result.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!lead.has(field.getKey())) {
                    lead.set(field.getKey(), field.getValue());
                }
            }
        }
        return lead;
    }

    private JsonNode parse(String value) {
        try {
            return mapper.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }

    private static Position position(String cursor) {
        String position = Cursors.decode(cursor);
        if (position == null) {
            return null;
        }
        String[] parts = position.startsWith("p:") ? position.substring(2).split("\\|", -1) : new String[0];
        if (parts.length != 3 || !Ids.isWorkflowId(parts[1])) {
            throw new ApiException(400, Cursors.INVALID);
        }
        try {
            return new Position(OffsetDateTime.parse(parts[0]), parts[1], Integer.parseInt(parts[2]));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ApiException(400, Cursors.INVALID);
        }
    }
}
