package dev.cascade.events;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The result item of §5.3: what one settled task found. Null fields are left out of JSON; the three lists are never
 * null (§1 keeps empty arrays), whether the task completed, failed or is a prospect row, so every rendering (status,
 * webhooks, SSE, export, the result topic) shows the same shape. Prospecting tasks carry their rows in
 * {@code prospects}.
 */
public record ResultItem(
        UUID taskId,
        String status,
        String primaryEmail,
        String primaryEmailStatus,
        List<String> otherEmails,
        List<String> personalPhoneNumbers,
        List<Phone> phones,
        Prospect prospect,
        Company company,
        Map<String, String> source,
        List<ResultItem> prospects,
        Map<String, String> custom,
        String error,
        String skippedReason) {

    public ResultItem {
        // Made here, at the one constructor every builder (and Jackson, reading a cached item) goes through.
        otherEmails = otherEmails == null ? List.of() : otherEmails;
        personalPhoneNumbers = personalPhoneNumbers == null ? List.of() : personalPhoneNumbers;
        phones = phones == null ? List.of() : phones;
    }

    public boolean hasEmail() {
        return primaryEmail != null;
    }

    public boolean hasPhone() {
        return personalPhoneNumbers != null && !personalPhoneNumbers.isEmpty();
    }

    /** The same item, skipped for a reason (`budget`, §4.4). */
    public ResultItem skipped(String reason) {
        return new ResultItem(
                taskId,
                status,
                primaryEmail,
                primaryEmailStatus,
                otherEmails,
                personalPhoneNumbers,
                phones,
                prospect,
                company,
                source,
                prospects,
                custom,
                error,
                reason);
    }

    /** The same item without its phones (withheld beyond a budget cap, §4.4): empty phone arrays, no phone source. */
    public ResultItem withoutPhones() {
        Map<String, String> kept = null;
        if (source != null) {
            kept = new java.util.LinkedHashMap<>(source);
            kept.remove("phone");
        }
        return new ResultItem(
                taskId,
                status,
                primaryEmail,
                primaryEmailStatus,
                otherEmails,
                List.of(),
                List.of(),
                prospect,
                company,
                kept,
                prospects,
                custom,
                error,
                skippedReason);
    }

    /** A failed task: its id, status and the reason. */
    public static ResultItem failed(UUID taskId, String error, Map<String, String> custom) {
        return new ResultItem(
                taskId, "failed", null, null, null, null, null, null, null, null, null, custom, error, null);
    }
}
