package dev.cascade.api;

import jakarta.enterprise.context.RequestScoped;

import dev.cascade.accounts.Principal;
import dev.cascade.accounts.RateDecision;
import dev.cascade.support.ApiException;

/** The principal the authentication filter resolved for this request. */
@RequestScoped
public class CurrentPrincipal {
    private Principal principal;
    private RateDecision rate;

    void set(Principal principal) {
        this.principal = principal;
    }

    void rate(RateDecision decision) {
        this.rate = decision;
    }

    /** What the rate limiter decided for this request; null when it was not counted. */
    RateDecision rate() {
        return rate;
    }

    public Principal get() {
        if (principal == null) {
            throw new ApiException(401, "Not authenticated");
        }
        return principal;
    }
}
