package dev.cascade.waterfall.providers.neverbounce;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds providers of type `neverbounce`: NeverBounce's single check (`GET /v4/single/check`, capability `verify`),
 * authenticated with the `key` query parameter (VENDORS.md §6).
 */
@ApplicationScoped
public class NeverBounceProviderFactory implements ProviderFactory {
    /** The configuration `type` of NeverBounce providers. */
    public static final String TYPE = "neverbounce";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        return new NeverBounceProvider(context);
    }
}
