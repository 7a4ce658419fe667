package dev.cascade.waterfall.providers.apollo;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds Apollo.io providers (type `apollo`): email finding through People Enrichment ({@code POST /people/match})
 * and people discovery through People API Search ({@code POST /mixed_people/api_search}), authenticated with the
 * {@code x-api-key} header. See docs/providers.md.
 */
@ApplicationScoped
public class ApolloProviderFactory implements ProviderFactory {
    /** The configuration `type` of this adapter. */
    public static final String TYPE = "apollo";

    /** Apollo's public API; `base-url` overrides it (a loopback stub in tests). */
    public static final String DEFAULT_BASE_URL = "https://api.apollo.io/api/v1";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        String base = context.baseUrl(DEFAULT_BASE_URL);
        return new ApolloProvider(context, base);
    }
}
