package dev.cascade.api.doc;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The result item of §5.3 as the OpenAPI document shows it (the status endpoint's `results` and a task's `result`,
 * the export's lines, the stream's `task` events); the same shape as `docs/events/result-item.schema.json`.
 */
@Schema(
        name = "ResultItem",
        description = "What one task found (§5.3). A task not settled yet shows only task_id and a pending or running"
                + " status; a settled item always has other_emails, personal_phone_numbers and phones (empty when"
                + " nothing was found); a failed one has error. Null fields are left out; ignore fields you do not"
                + " know.")
public record ResultItemDoc(
        @Schema(required = true, description = "For a prospect row: the task of the company contact that found it")
        UUID taskId,

        @Schema(
                required = true,
                enumeration = {"pending", "running", "completed", "failed"})
        String status,

        String primaryEmail,

        @Schema(
                enumeration = {"reliable", "risky", "unknown"},
                description = "§5.1")
        String primaryEmailStatus,

        List<String> otherEmails,

        @Schema(description = "E.164 numbers") List<String> personalPhoneNumbers,

        List<PhoneDoc> phones,
        ProspectDoc prospect,
        CompanyDoc company,

        @Schema(description = "The provider that found each value, by capability (email, phone, prospect)")
        Map<String, String> source,

        @Schema(description = "The request's custom map, echoed")
        Map<String, String> custom,

        @Schema(description = "Why the task failed, e.g. \"cancelled\", \"all providers failed (...)\"")
        String error,

        @Schema(description = "Why a completed task ran no provider, e.g. \"budget\" (§4.4)")
        String skippedReason) {

    /** A phone number with its detail (§5.2). */
    @Schema(name = "Phone")
    public record PhoneDoc(
            @Schema(required = true, description = "E.164, e.g. +14155551234")
            String number,

            @Schema(enumeration = {"mobile", "landline", "voip", "unknown"})
            String lineType,

            @Schema(description = "The provider that found the number")
            String source) {}

    /** The person a result is about. */
    @Schema(name = "Prospect")
    public record ProspectDoc(
            String firstName, String lastName, String fullName, String title, String linkedinUrl, String location) {}

    /** The company a result is about. */
    @Schema(name = "Company")
    public record CompanyDoc(
            String name,
            String domain,
            String industry,
            @Schema(minimum = "0") Long employeeCount) {}
}
