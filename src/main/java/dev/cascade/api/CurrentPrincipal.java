package dev.cascade.api;

import jakarta.enterprise.context.RequestScoped;

import dev.cascade.accounts.Principal;
import dev.cascade.support.ApiException;

/** The principal the authentication filter resolved for this request. */
@RequestScoped
public class CurrentPrincipal {
    private Principal principal;

    void set(Principal principal) {
        this.principal = principal;
    }

    public Principal get() {
        if (principal == null) {
            throw new ApiException(401, "Not authenticated");
        }
        return principal;
    }
}
