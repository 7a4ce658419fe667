package dev.cascade.api.doc;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.cascade.api.BulkRequestDoc.ContactDoc;
import dev.cascade.api.LeadListsResource.ListView;

/** The answers of the lead-list endpoints (§7) as the OpenAPI document shows them. */
public final class LeadsDoc {
    private LeadsDoc() {}

    /** `GET /lead-lists`. */
    @Schema(name = "LeadListsAnswer")
    public record Lists(@Schema(required = true) List<ListView> leadLists) {}

    /** `GET /lead-lists/{id}/leads`: one page, oldest first; next_cursor while more follow. */
    @Schema(name = "LeadsPage")
    public record Page(
            @Schema(required = true) UUID leadListId,
            @Schema(required = true) List<Lead> leads,

            @Schema(description = "Pass as cursor for the next page; absent on the last page")
            String nextCursor) {}

    /** A lead: where it came from, the contact as submitted, and (once its task settled) the §5.3 result fields. */
    @Schema(
            name = "Lead",
            allOf = {LeadFields.class, ResultItemDoc.class})
    public interface Lead {}

    /** The fields a lead has beside the result item's. */
    @Schema(name = "LeadFields")
    public record LeadFields(
            @Schema(required = true, description = "The lead's id (its task's)")
            UUID leadId,

            @Schema(required = true) UUID taskId,
            @Schema(required = true) String workflowId,

            @Schema(
                    required = true,
                    enumeration = {"pending", "running", "completed", "failed"})
            String status,

            @Schema(required = true) String createdAt,
            @Schema(required = true) ContactDoc contact) {}
}
