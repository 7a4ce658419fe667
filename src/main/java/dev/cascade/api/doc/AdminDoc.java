package dev.cascade.api.doc;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.cascade.api.AdminResource.KeyView;
import dev.cascade.api.AdminResource.OrganizationView;

/**
 * The request bodies and list answers of the operator API (§9) as the OpenAPI document shows them. The resources read
 * the raw bodies themselves, so that every bad one gets the contract's exact error; these records only describe them.
 */
public final class AdminDoc {
    private AdminDoc() {}

    @Schema(name = "CreateOrganizationRequest")
    public record CreateOrganization(
            @Schema(required = true, minLength = 1, maxLength = 200, description = "No control characters")
            String name,

            @Schema(
                    minimum = "0",
                    maximum = "999999999999.99",
                    description = "Opening balance, at most 2 decimals (default 0)")
            BigDecimal credits) {}

    @Schema(name = "RateLimitsRequest", description = "null or absent: back to the configured default")
    public record RateLimits(
            @Schema(minimum = "1", maximum = "1000000") Integer requestsPerMinute,
            @Schema(minimum = "1", maximum = "1000000") Integer keyRequestsPerMinute) {}

    @Schema(name = "QuotasRequest", description = "null or absent: back to the configured default; 0: no quota")
    public record Quotas(
            @Schema(minimum = "0", maximum = "100000000") Integer maxPendingWorkflows,
            @Schema(minimum = "0", maximum = "100000000") Integer maxContactsPerDay) {}

    @Schema(
            name = "CreateApiKeyRequest",
            description = "Optional; an empty body creates an unnamed key that never expires")
    public record CreateKey(
            @Schema(maxLength = 200, description = "No control characters")
            String name,

            @Schema(description = "ISO-8601 time, e.g. 2027-01-01T00:00:00Z")
            String expiresAt) {}

    @Schema(name = "CreditChangeRequest")
    public record CreditChange(
            @Schema(
                    required = true,
                    minimum = "-999999999999.99",
                    maximum = "999999999999.99",
                    description = "At most 2 decimals; a top-up is above 0, an adjustment is not 0")
            BigDecimal amount,

            @Schema(maxLength = 500, description = "Required for an adjustment; no control characters")
            String reason) {}

    @Schema(name = "OrganizationList")
    public record Organizations(@Schema(required = true) List<OrganizationView> organizations) {}

    @Schema(name = "ApiKeyList", description = "Never the secrets: only their last 4 characters")
    public record ApiKeys(@Schema(required = true) List<KeyView> apiKeys) {}

    @Schema(name = "CircuitReset")
    public record CircuitReset(
            @Schema(required = true) String name,

            @Schema(required = true, description = "closed, open, half_open, or none (no breaker)")
            String circuitState) {}
}
