package dev.cascade.api.doc;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The optional `waterfall` of a bulk request (§4.2) as the OpenAPI document shows it; omitted parts use defaults. */
@Schema(
        name = "Waterfall",
        description = "Per-request waterfall: every name must be a provider the operator configured and enabled, with"
                + " that capability (else 422)")
public record WaterfallDoc(
        @Schema(description = "Email providers, in order, e.g. [\"hunter\", \"prospeo\"]")
        List<String> email,

        @Schema(description = "Phone providers, in order") List<String> phone,

        @Schema(description = "The email verifier, e.g. zerobounce")
        String verify,

        @Schema(
                enumeration = {"reliable", "risky", "unknown"},
                description = "The email status that ends the email waterfall (default reliable)")
        String stopOn,

        @Schema(description = "prospecting_only: the discovery providers, in order")
        List<String> prospect) {}
