package dev.cascade.waterfall.providers.declarative;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderFactory;

/**
 * Builds declarative HTTP providers (type `http`): a vendor described entirely in configuration under
 * `cascade.providers.<name>.http.*` (capabilities, method, URL, body and header templates with `{placeholders}`,
 * miss statuses, JSON-pointer response mapping and status values). The settings are checked here, so a mistake
 * stops the start naming the key. See docs/providers.md.
 */
@ApplicationScoped
public class DeclarativeProviderFactory implements ProviderFactory {
    /** The configuration `type` of this adapter. */
    public static final String TYPE = "http";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(ProviderContext context) {
        return new DeclarativeProvider(context, DeclarativeSpec.parse(context.name(), context.settings()));
    }
}
