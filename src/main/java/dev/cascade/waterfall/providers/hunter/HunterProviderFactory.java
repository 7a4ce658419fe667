package dev.cascade.waterfall.providers.hunter;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds providers of type `hunter`: Hunter.io's Email Finder (capability `email`) and Email Verifier (capability
 * `verify`) behind one provider, authenticated with the `X-API-KEY` header (VENDORS.md §1).
 */
@ApplicationScoped
public class HunterProviderFactory implements ProviderFactory {
    /** The configuration `type` of Hunter providers. */
    public static final String TYPE = "hunter";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        return new HunterProvider(context);
    }
}
