package dev.cascade.api;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.cascade.api.doc.WaterfallDoc;

/**
 * The body of `POST /enrich/bulk` as the OpenAPI document shows it. The resource reads the raw body itself, so that
 * every malformed or invalid body gets the contract's exact error; this record only describes it.
 */
@Schema(name = "BulkRequest", description = "Up to 250 contacts to enrich")
public record BulkRequestDoc(
        @Schema(
                description = "Defaults to partial",
                enumeration = {"none", "partial", "phone_only", "full", "prospecting_only"})
        String enrichmentType,

        @Schema(description = "https URL that receives the enrichment.completed event")
        String webhookUrl,

        @Schema(required = true, minItems = 1, maxItems = 250)
        List<ContactDoc> contacts,

        WaterfallDoc waterfall,

        @Schema(description = "0 = never use the result cache")
        Integer maxCacheAgeDays,

        Integer maxProspectsPerCompany,

        @Schema(description = "The workflow never charges more")
        BigDecimal maxCredits,

        @Schema(description = "At most 10 string keys and values (100 characters each), echoed back")
        Map<String, String> custom,

        Boolean perContactWebhooks) {

    /** A contact: `linkedin_url`, or first + last name + (company domain or name). */
    @Schema(name = "Contact")
    public record ContactDoc(
            String linkedinUrl, String firstName, String lastName, String companyDomain, String companyName) {}
}
