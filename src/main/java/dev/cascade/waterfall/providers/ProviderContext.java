package dev.cascade.waterfall.providers;

import java.time.Duration;

import dev.cascade.config.CascadeConfig.ProviderSettings;

/**
 * What an adapter gets to build one provider: its name, its settings, its API key (from `api-key` or
 * `api-key-file`; null when none is configured) and the shared vendor HTTP client.
 */
public record ProviderContext(String name, ProviderSettings settings, String apiKey, VendorHttp http) {

    /** The configured base URL without a trailing slash, else the vendor's public one. */
    public String baseUrl(String vendorDefault) {
        String url = settings.baseUrl().orElse(vendorDefault).trim();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Time allowed for one HTTP exchange (the guard's per-attempt timeout). */
    public Duration timeout() {
        return settings.timeout();
    }
}
