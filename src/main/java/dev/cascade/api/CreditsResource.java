package dev.cascade.api;

import java.util.UUID;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.accounts.CreditLedger;
import dev.cascade.support.ApiException;

/** `GET /credits/balance` (§2.5): the credits available now, balance minus open holds. */
@Path("/api/v1/public/credits")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Credits")
public class CreditsResource {
    private final CreditLedger ledger;
    private final CurrentPrincipal principal;

    public CreditsResource(CreditLedger ledger, CurrentPrincipal principal) {
        this.ledger = ledger;
        this.principal = principal;
    }

    /** The answer: the organisation and its available credits. */
    public record Balance(UUID organizationId, double credits) {}

    @GET
    @Path("/balance")
    @Operation(operationId = "getCreditBalance", summary = "Credits available now")
    public Uni<Balance> balance() {
        UUID orgId = principal.get().orgId();
        return ledger.balance(orgId).map(balance -> {
            if (balance == null) {
                // The key authenticated a moment ago; its organisation cannot vanish, but never answer 500 for it.
                throw new ApiException(401, "Not authenticated");
            }
            return new Balance(orgId, balance.available().doubleValue());
        });
    }
}
