package dev.cascade.api;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.AccountService;
import dev.cascade.accounts.ApiKey;
import dev.cascade.accounts.Organization;
import dev.cascade.api.doc.AdminDoc;
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.Text;
import dev.cascade.support.Times;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;

/** Operator API (§9): organisations and their API keys. Guarded by the operator token (see {@link AuthFilter}). */
@Path("/api/v1/admin/organizations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class AdminResource {
    private static final int MAX_BODY = 64 * 1024;
    private static final BigDecimal MAX_CREDITS = new BigDecimal("999999999999.99");

    private final AccountService accounts;
    private final ObjectMapper mapper;

    public AdminResource(AccountService accounts, ObjectMapper mapper) {
        this.accounts = accounts;
        this.mapper = mapper;
    }

    /** An organisation as the operator sees it. */
    public record OrganizationView(
            UUID id,
            String name,
            BigDecimal credits,
            BigDecimal creditsHeld,
            BigDecimal creditsAvailable,
            String createdAt,
            Integer requestsPerMinute,
            Integer keyRequestsPerMinute,
            Integer maxPendingWorkflows,
            Integer maxContactsPerDay) {
        static OrganizationView of(Organization org) {
            BigDecimal held = org.creditsHeld == null ? BigDecimal.ZERO : org.creditsHeld;
            return new OrganizationView(
                    org.id,
                    org.name,
                    org.credits,
                    held,
                    org.credits.subtract(held),
                    Times.format(org.createdAt),
                    org.requestsPerMinute,
                    org.keyRequestsPerMinute,
                    org.maxPendingWorkflows,
                    org.maxContactsPerDay);
        }
    }

    /** An API key as listed: never its secret, only its last 4 characters. */
    public record KeyView(
            UUID id,
            UUID organizationId,
            String name,
            String last4,
            String createdAt,
            String expiresAt,
            String revokedAt,
            String status,
            String key) {
        static KeyView of(ApiKey key, String secret) {
            String status = key.revokedAt != null
                    ? "revoked"
                    : key.expiresAt != null && !key.expiresAt.isAfter(OffsetDateTime.now()) ? "expired" : "active";
            return new KeyView(
                    key.id,
                    key.orgId,
                    key.name,
                    key.last4,
                    Times.format(key.createdAt),
                    Times.format(key.expiresAt),
                    Times.format(key.revokedAt),
                    status,
                    secret);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createOrganization", summary = "Create an organisation")
    @RequestBody(content = @Content(schema = @Schema(implementation = AdminDoc.CreateOrganization.class)))
    @APIResponseSchema(value = OrganizationView.class, responseCode = "201", responseDescription = "Created")
    @APIResponse(responseCode = "422", description = "A bad name or credits")
    public Uni<Response> create(byte[] body) {
        JsonNode json = JsonBodies.parse(mapper, body, MAX_BODY);
        String name = json.path("name").isTextual() ? json.path("name").asText().trim() : "";
        JsonNode creditsNode = json.path("credits");
        if (name.isEmpty() || name.length() > 200 || Text.hasControl(name)) {
            throw invalid("name", "name is required (1 to 200 characters, no control characters)", json.get("name"));
        }
        BigDecimal credits = BigDecimal.ZERO;
        if (!creditsNode.isMissingNode() && !creditsNode.isNull()) {
            if (!creditsNode.isNumber()
                    || !Double.isFinite(creditsNode.asDouble())
                    || creditsNode.decimalValue().signum() < 0
                    || creditsNode.decimalValue().compareTo(MAX_CREDITS) > 0
                    || creditsNode.decimalValue().stripTrailingZeros().scale() > 2) {
                throw invalid(
                        "credits",
                        "credits must be a number from 0 to 999999999999.99 with at most 2 decimals",
                        creditsNode);
            }
            credits = creditsNode.decimalValue();
        }
        return accounts.createOrganization(name, credits)
                .map(org ->
                        Response.status(201).entity(OrganizationView.of(org)).build());
    }

    @GET
    @Operation(operationId = "listOrganizations", summary = "List organisations")
    @APIResponseSchema(value = AdminDoc.Organizations.class, responseDescription = "Every organisation")
    public Uni<Map<String, List<OrganizationView>>> list() {
        return accounts.listOrganizations()
                .map(orgs -> Map.of(
                        "organizations", orgs.stream().map(OrganizationView::of).toList()));
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getOrganization", summary = "Get an organisation")
    @APIResponseSchema(value = OrganizationView.class, responseDescription = "The organisation")
    @APIResponse(responseCode = "404", description = "Organization not found")
    public Uni<OrganizationView> get(@PathParam("id") String id) {
        return accounts.findOrganization(orgId(id)).map(AdminResource::viewOrNotFound);
    }

    @jakarta.ws.rs.PUT
    @Path("/{id}/rate-limits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "setOrganizationRateLimits",
            summary = "Set an organisation's rate limits (null fields: back to the defaults)")
    @RequestBody(content = @Content(schema = @Schema(implementation = AdminDoc.RateLimits.class)))
    @APIResponseSchema(value = OrganizationView.class, responseDescription = "The organisation as it is now")
    @APIResponse(responseCode = "404", description = "Organization not found")
    @APIResponse(responseCode = "422", description = "A limit out of range")
    public Uni<OrganizationView> rateLimits(@PathParam("id") String id, byte[] body) {
        JsonNode json = JsonBodies.parse(mapper, body, MAX_BODY);
        Integer perOrg = limit(json, "requests_per_minute");
        Integer perKey = limit(json, "key_requests_per_minute");
        return accounts.setRateLimits(orgId(id), perOrg, perKey).map(AdminResource::viewOrNotFound);
    }

    @jakarta.ws.rs.PUT
    @Path("/{id}/quotas")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "setOrganizationQuotas",
            summary = "Set an organisation's quotas (null fields: back to the defaults; 0: no quota)")
    @RequestBody(content = @Content(schema = @Schema(implementation = AdminDoc.Quotas.class)))
    @APIResponseSchema(value = OrganizationView.class, responseDescription = "The organisation as it is now")
    @APIResponse(responseCode = "404", description = "Organization not found")
    @APIResponse(responseCode = "422", description = "A quota out of range")
    public Uni<OrganizationView> quotas(@PathParam("id") String id, byte[] body) {
        JsonNode json = JsonBodies.parse(mapper, body, MAX_BODY);
        Integer pending = quota(json, "max_pending_workflows");
        Integer contacts = quota(json, "max_contacts_per_day");
        return accounts.setQuotas(orgId(id), pending, contacts).map(AdminResource::viewOrNotFound);
    }

    private static Integer quota(JsonNode json, String field) {
        JsonNode node = json.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0 || node.asInt() > 100_000_000) {
            throw invalid(field, field + " must be an integer from 0 (no quota) to 100000000, or null", node);
        }
        return node.asInt();
    }

    private static Integer limit(JsonNode json, String field) {
        JsonNode node = json.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1 || node.asInt() > 1_000_000) {
            throw invalid(field, field + " must be an integer from 1 to 1000000, or null for the default", node);
        }
        return node.asInt();
    }

    @POST
    @Path("/{id}/api-keys")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createApiKey", summary = "Create an API key; its secret is shown in this answer only")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = AdminDoc.CreateKey.class)))
    @APIResponseSchema(value = KeyView.class, responseCode = "201", responseDescription = "Created, with its `key`")
    @APIResponse(responseCode = "404", description = "Organization not found")
    @APIResponse(responseCode = "409", description = "The organisation has its maximum of active API keys")
    @APIResponse(responseCode = "422", description = "A bad name or expires_at")
    public Uni<Response> createKey(@PathParam("id") String id, byte[] body) {
        JsonNode json =
                body == null || body.length == 0 ? mapper.createObjectNode() : JsonBodies.parse(mapper, body, MAX_BODY);
        String name = json.path("name").isTextual() ? json.path("name").asText().trim() : null;
        if (name != null && (name.length() > 200 || Text.hasControl(name))) {
            throw invalid("name", "name is at most 200 characters, without control characters", json.get("name"));
        }
        OffsetDateTime expiresAt = null;
        JsonNode expires = json.path("expires_at");
        if (!expires.isMissingNode() && !expires.isNull()) {
            try {
                expiresAt = OffsetDateTime.parse(expires.asText());
                if (expiresAt.getYear() > 9999) {
                    throw new DateTimeParseException("too far", expires.asText(), 0);
                }
            } catch (DateTimeParseException e) {
                throw invalid(
                        "expires_at", "expires_at must be an ISO-8601 time such as 2027-01-01T00:00:00Z", expires);
            }
        }
        return accounts.createKey(orgId(id), name, expiresAt)
                .onFailure(AccountService.TooManyKeys.class)
                .transform(tooMany -> new ApiException(
                        409,
                        "An organization can have at most " + accounts.maxActiveKeys()
                                + " active API keys; revoke one first"))
                .map(created -> {
                    if (created == null) {
                        throw new ApiException(404, "Organization not found");
                    }
                    return Response.status(201)
                            .entity(KeyView.of(created.key(), created.secret()))
                            .build();
                });
    }

    @GET
    @Path("/{id}/api-keys")
    @Operation(operationId = "listApiKeys", summary = "List an organisation's API keys (last 4 characters only)")
    @APIResponseSchema(value = AdminDoc.ApiKeys.class, responseDescription = "Every key of the organisation")
    @APIResponse(responseCode = "404", description = "Organization not found")
    public Uni<Map<String, List<KeyView>>> keys(@PathParam("id") String id) {
        UUID orgId = orgId(id);
        return accounts.findOrganization(orgId).chain(org -> {
            if (org == null) {
                throw new ApiException(404, "Organization not found");
            }
            return accounts.listKeys(orgId)
                    .map(keys -> Map.of(
                            "api_keys",
                            keys.stream().map(k -> KeyView.of(k, null)).toList()));
        });
    }

    @DELETE
    @Path("/{id}/api-keys/{keyId}")
    @Operation(operationId = "revokeApiKey", summary = "Revoke an API key")
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "404", description = "Organization or API key not found")
    public Uni<Response> revoke(@PathParam("id") String id, @PathParam("keyId") String keyId) {
        UUID key = Ids.parseUuid(keyId);
        if (key == null) {
            throw new ApiException(404, "API key not found");
        }
        return accounts.revokeKey(orgId(id), key).map(done -> {
            if (!done) {
                throw new ApiException(404, "API key not found");
            }
            return Response.noContent().build();
        });
    }

    private static UUID orgId(String id) {
        UUID org = Ids.parseUuid(id);
        if (org == null) {
            throw new ApiException(404, "Organization not found");
        }
        return org;
    }

    private static ValidationException invalid(String field, String msg, JsonNode input) {
        return new ValidationException(
                List.of(new ValidationProblem("value_error", List.of("body", field), msg, input)));
    }

    /** The organisation's view; 404 when the statement found no such organisation. */
    private static OrganizationView viewOrNotFound(Organization org) {
        if (org == null) {
            throw new ApiException(404, "Organization not found");
        }
        return OrganizationView.of(org);
    }
}
