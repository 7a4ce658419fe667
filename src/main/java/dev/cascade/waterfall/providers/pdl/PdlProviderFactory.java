package dev.cascade.waterfall.providers.pdl;

import java.time.Clock;
import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds People Data Labs providers (type `pdl`): work email and phone finding through PDL's Person Enrichment API
 * ({@code GET /v5/person/enrich}), authenticated with the {@code X-Api-Key} header. See docs/providers.md.
 */
@ApplicationScoped
public class PdlProviderFactory implements ProviderFactory {
    /** The configuration `type` of this adapter. */
    public static final String TYPE = "pdl";

    /** PDL's public API (version 5 included); `base-url` overrides it (a loopback stub in tests). */
    public static final String DEFAULT_BASE_URL = "https://api.peopledatalabs.com/v5";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        String base = context.baseUrl(DEFAULT_BASE_URL);
        return new PdlProvider(context, base, Clock.systemUTC());
    }
}
