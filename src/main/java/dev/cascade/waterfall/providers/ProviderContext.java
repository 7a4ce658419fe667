package dev.cascade.waterfall.providers;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

import dev.cascade.config.CascadeConfig.ProviderSettings;

/**
 * What an adapter gets to build one provider: its name, its settings, its API key (from `api-key` or
 * `api-key-file`; null when none is configured) and the shared vendor HTTP client.
 */
public record ProviderContext(String name, ProviderSettings settings, String apiKey, VendorHttp http) {

    /**
     * The configured base URL without a trailing slash, else the vendor's public one. A URL Vert.x could not call
     * would make every lookup fail, so it is refused at start ({@link IllegalArgumentException}).
     */
    public String baseUrl(String vendorDefault) {
        String url = settings.baseUrl().orElse(vendorDefault).trim();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException notAUri) {
            throw new IllegalArgumentException("base-url is not a valid URL", notAUri);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("base-url must be an absolute http(s) URL");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Time allowed for one HTTP exchange (the guard's per-attempt timeout). */
    public Duration timeout() {
        return settings.timeout();
    }
}
