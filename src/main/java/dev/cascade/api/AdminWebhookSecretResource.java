package dev.cascade.api;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

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
import dev.cascade.support.ApiException;
import dev.cascade.support.Ids;
import dev.cascade.support.Times;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;
import dev.cascade.webhooks.SigningSecrets;

/**
 * Operator API (§9): an organisation's webhook signing secrets. The reveal call is the one place that shows them
 * (besides the answer of a rotation, which shows the new one); nothing else, no log line either, ever does.
 */
@Path("/api/v1/admin/organizations/{id}/webhook-secret")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class AdminWebhookSecretResource {
    private static final int MAX_BODY = 64 * 1024;
    private static final long MAX_OVERLAP_SECONDS = SigningSecrets.MAX_OVERLAP.toSeconds();

    private final AccountService accounts;
    private final SigningSecrets secrets;
    private final ObjectMapper mapper;

    public AdminWebhookSecretResource(AccountService accounts, SigningSecrets secrets, ObjectMapper mapper) {
        this.accounts = accounts;
        this.secrets = secrets;
        this.mapper = mapper;
    }

    /** One signing secret as revealed. */
    public record SecretItem(UUID id, String secret, String createdAt, String expiresAt) {
        static SecretItem of(SigningSecrets.SecretView view) {
            return new SecretItem(
                    view.id(), view.secret(), Times.format(view.createdAt()), Times.format(view.expiresAt()));
        }

        @Override
        public String toString() {
            return "SecretItem[id=" + id + ", secret=***, createdAt=" + createdAt + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** The reveal answer: every secret that signs now, newest (the current one, without `expires_at`) first. */
    public record SecretsView(UUID organizationId, List<SecretItem> secrets) {}

    /** The rotation answer: the new secret, shown here, and when the previous one stops signing. */
    public record RotationView(UUID organizationId, UUID id, String secret, String createdAt, String previousExpireAt) {
        @Override
        public String toString() {
            return "RotationView[organizationId=" + organizationId + ", id=" + id + ", secret=***, createdAt="
                    + createdAt + ", previousExpireAt=" + previousExpireAt + "]";
        }
    }

    @GET
    @Operation(
            operationId = "revealWebhookSecrets",
            summary = "Reveal the organisation's webhook signing secrets",
            description = "Every secret that signs now, newest first; the first is created if there is none yet.")
    @APIResponseSchema(value = SecretsView.class, responseDescription = "The secrets")
    @APIResponse(responseCode = "404", description = "Organization not found")
    public Uni<SecretsView> reveal(@PathParam("id") String id) {
        UUID orgId = orgId(id);
        return existing(orgId)
                .chain(() -> secrets.reveal(orgId))
                .map(views -> new SecretsView(
                        orgId, views.stream().map(SecretItem::of).toList()));
    }

    /** The optional body of a rotation (for the OpenAPI document). */
    public record RotateRequest(
            @Schema(minimum = "0", maximum = "604800", description = "Default: the configured overlap (24 h)")
            Long overlapSeconds) {}

    // No @Consumes: a rotation without a body (`curl -X POST`, no Content-Type) takes the default overlap; a body
    // must be JSON.
    @POST
    @Path("/rotate")
    @Operation(
            operationId = "rotateWebhookSecret",
            summary = "Rotate the organisation's webhook signing secret",
            description = "Optional body {\"overlap_seconds\": 0..604800}: how long the older secrets keep signing"
                    + " beside the new one (default: cascade.webhooks.secret-rotation-overlap). The new secret is"
                    + " in the answer.")
    @RequestBody(
            required = false,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = RotateRequest.class)))
    @APIResponseSchema(value = RotationView.class, responseDescription = "The new secret")
    @APIResponse(responseCode = "404", description = "Organization not found")
    @APIResponse(responseCode = "422", description = "overlap_seconds out of range")
    public Uni<RotationView> rotate(
            @PathParam("id") String id, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        UUID orgId = orgId(id);
        Duration overlap = overlap(contentType, body);
        return existing(orgId)
                .chain(() -> secrets.rotate(orgId, overlap))
                .map(rotation -> new RotationView(
                        orgId,
                        rotation.id(),
                        rotation.secret(),
                        Times.format(rotation.createdAt()),
                        Times.format(rotation.previousExpireAt())));
    }

    private Duration overlap(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        if (!json(contentType)) {
            throw new ApiException(415, "Unsupported Media Type");
        }
        JsonNode json = JsonBodies.parse(mapper, body, MAX_BODY);
        JsonNode node = json.path("overlap_seconds");
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()
                || !node.canConvertToLong()
                || node.asLong() < 0
                || node.asLong() > MAX_OVERLAP_SECONDS) {
            throw new ValidationException(List.of(new ValidationProblem(
                    "value_error",
                    List.of("body", "overlap_seconds"),
                    "overlap_seconds must be an integer from 0 to " + MAX_OVERLAP_SECONDS,
                    node)));
        }
        return Duration.ofSeconds(node.asLong());
    }

    private static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.valueOf(contentType).isCompatible(MediaType.APPLICATION_JSON_TYPE);
        } catch (IllegalArgumentException unparseable) {
            return false;
        }
    }

    private Uni<Void> existing(UUID orgId) {
        return accounts.findOrganization(orgId)
                .invoke(org -> {
                    if (org == null) {
                        throw new ApiException(404, "Organization not found");
                    }
                })
                .replaceWithVoid();
    }

    private static UUID orgId(String id) {
        UUID org = Ids.parseUuid(id);
        if (org == null) {
            throw new ApiException(404, "Organization not found");
        }
        return org;
    }
}
