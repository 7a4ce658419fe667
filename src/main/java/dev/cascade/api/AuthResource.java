package dev.cascade.api;

import java.util.UUID;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.Principal;

/** `GET /auth/validate-key` (§2.4): whether the presented key is valid; costs nothing. */
@Path("/api/v1/public/auth")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Authentication")
public class AuthResource {
    private final CurrentPrincipal principal;

    public AuthResource(CurrentPrincipal principal) {
        this.principal = principal;
    }

    /** The answer for a valid key (an invalid one gets the filter's 401). */
    public record Validation(boolean valid, UUID organizationId, UUID keyId) {}

    @GET
    @Path("/validate-key")
    @Operation(operationId = "validateApiKey", summary = "Check an API key")
    public Validation validate() {
        Principal who = principal.get();
        return new Validation(true, who.orgId(), who.keyId());
    }
}
