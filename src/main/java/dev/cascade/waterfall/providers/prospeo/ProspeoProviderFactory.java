package dev.cascade.waterfall.providers.prospeo;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds Prospeo providers (type `prospeo`): email and mobile finding through Prospeo's Enrich Person API
 * ({@code POST /enrich-person}), authenticated with the {@code X-KEY} header. See docs/providers.md.
 */
@ApplicationScoped
public class ProspeoProviderFactory implements ProviderFactory {
    /** The configuration `type` of this adapter. */
    public static final String TYPE = "prospeo";

    /** Prospeo's public API; `base-url` overrides it (a loopback stub in tests). */
    public static final String DEFAULT_BASE_URL = "https://api.prospeo.io";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        String base = context.baseUrl(DEFAULT_BASE_URL);
        return new ProspeoProvider(context, base);
    }
}
