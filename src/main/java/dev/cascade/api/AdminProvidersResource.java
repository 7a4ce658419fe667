package dev.cascade.api;

import java.util.List;
import java.util.Map;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cascade.api.doc.AdminDoc;
import dev.cascade.support.ApiException;
import dev.cascade.waterfall.providers.ProviderRegistry;
import dev.cascade.waterfall.providers.ProviderStatus;

/** Operator view of the providers (§9): capabilities, order, enabled flag, live circuit state and counters. */
@Path("/api/v1/admin/providers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class AdminProvidersResource {
    private final ProviderRegistry providers;

    public AdminProvidersResource(ProviderRegistry providers) {
        this.providers = providers;
    }

    /** The provider list of this gateway instance (circuit state and counters are per instance). */
    public record ProviderList(List<ProviderStatus> providers) {}

    @GET
    @Operation(
            operationId = "listProviders",
            summary = "List providers with their order, enabled flag, circuit state and counters")
    public ProviderList list() {
        return new ProviderList(providers.status());
    }

    @GET
    @Path("/{name}")
    @Operation(operationId = "getProvider", summary = "One provider")
    @APIResponseSchema(value = ProviderStatus.class, responseDescription = "The provider")
    @APIResponse(responseCode = "404", description = "Provider not found")
    public ProviderStatus one(@PathParam("name") String name) {
        return providers.status().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new ApiException(404, "Provider not found"));
    }

    @POST
    @Path("/{name}/circuit/reset")
    @Operation(
            operationId = "resetProviderCircuit",
            summary = "Close the provider's circuit breaker (it opens again if the vendor still fails)")
    @APIResponseSchema(value = AdminDoc.CircuitReset.class, responseDescription = "The circuit's state now")
    @APIResponse(responseCode = "404", description = "Provider not found")
    public Map<String, Object> reset(@PathParam("name") String name) {
        if (!providers.resetCircuit(name)) {
            throw new ApiException(404, "Provider not found");
        }
        return Map.of(
                "name",
                name,
                "circuit_state",
                providers.find(name).orElseThrow().circuitState());
    }
}
