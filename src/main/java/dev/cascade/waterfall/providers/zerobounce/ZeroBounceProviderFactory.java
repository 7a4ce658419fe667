package dev.cascade.waterfall.providers.zerobounce;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds providers of type `zerobounce`: ZeroBounce's single-address validation (`GET /v2/validate`, capability
 * `verify`), authenticated with the `api_key` query parameter (VENDORS.md §5).
 */
@ApplicationScoped
public class ZeroBounceProviderFactory implements ProviderFactory {
    /** The configuration `type` of ZeroBounce providers. */
    public static final String TYPE = "zerobounce";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        return new ZeroBounceProvider(context);
    }
}
