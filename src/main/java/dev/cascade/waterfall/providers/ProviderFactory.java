package dev.cascade.waterfall.providers;

/**
 * Builds the providers of one adapter type from configuration. Each vendor adapter contributes one
 * {@code @ApplicationScoped} factory; the registry builds a provider for every `cascade.providers.<name>` whose
 * `type` (default: the name) is this factory's.
 */
public interface ProviderFactory {

    /** The `type` this factory builds (`hunter`, `prospeo`, `http`, …). */
    String type();

    /**
     * A provider for the given settings. Throws {@link IllegalArgumentException} with a clear message when the
     * settings cannot work (a missing URL template, say); start-up then fails and names the provider.
     */
    Provider create(ProviderContext context);
}
