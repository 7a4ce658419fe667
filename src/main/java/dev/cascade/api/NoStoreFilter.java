package dev.cascade.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Operator answers may carry secrets shown once (a new API key, a webhook signing secret): no cache or proxy keeps
 * them.
 */
public class NoStoreFilter {

    @ServerResponseFilter
    public void noStore(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getUriInfo().getPath().startsWith(AuthFilter.ADMIN)) {
            response.getHeaders().putSingle("Cache-Control", "no-store");
        }
    }
}
