package dev.cascade.waterfall.providers;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Contact;

/**
 * Runs one vendor adapter outside Quarkus, against a loopback stub: real configuration mapping (so adapters see the
 * same settings and defaults as in the gateway), a real Vert.x client. Close it after the test class.
 */
public final class AdapterHarness implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final VendorHttp http = new VendorHttp(vertx, new ObjectMapper());

    /**
     * The context of provider {@code name} with the given settings, written without the `cascade.providers.<name>.`
     * prefix (e.g. {@code "base-url", "http://127.0.0.1:1234/v2"}); the API key is `test-key` unless given.
     */
    public ProviderContext context(String name, String... settings) {
        Map<String, String> properties = new HashMap<>();
        properties.put("cascade.providers." + name + ".api-key", "test-key");
        for (int i = 0; i + 1 < settings.length; i += 2) {
            properties.put("cascade.providers." + name + "." + settings[i], settings[i + 1]);
        }
        CascadeConfig config = config(properties);
        CascadeConfig.ProviderSettings providerSettings = config.providers().get(name);
        String key = providerSettings.apiKey().filter(k -> !k.isBlank()).orElse(null);
        return new ProviderContext(name, providerSettings, key, http);
    }

    /** The whole configuration root built from these properties (and the defaults). */
    public static CascadeConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(CascadeConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .addDefaultInterceptors()
                .build();
        return config.getConfigMapping(CascadeConfig.class);
    }

    /** Waits for a provider's answer (tests only). */
    public static ProviderOutcome await(Uni<ProviderOutcome> outcome) {
        return outcome.await().atMost(Duration.ofSeconds(30));
    }

    public static Contact person(String first, String last, String domain) {
        return new Contact(null, first, last, domain, null);
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        vertx.closeAndAwait();
    }
}
