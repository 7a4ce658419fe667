package dev.cascade.waterfall.providers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import io.smallrye.mutiny.Uni;

/** Base of the HTTP vendor adapters: name, type, capabilities, cost and credentials from the provider's settings. */
public abstract class VendorProvider implements Provider {
    protected final ProviderContext context;
    private final String type;
    private final Set<Capability> capabilities;

    protected VendorProvider(ProviderContext context, String type, Set<Capability> capabilities) {
        this.context = context;
        this.type = type;
        this.capabilities = Set.copyOf(capabilities);
    }

    @Override
    public String name() {
        return context.name();
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public double cost() {
        return context.settings().cost();
    }

    /** Vendor adapters need an API key; without one the provider is listed as not ready and never called. */
    @Override
    public Optional<String> notReady() {
        return context.apiKey() == null ? Optional.of("no API key configured") : Optional.empty();
    }

    /** The API key (never logged; never part of a failure reason). */
    protected String apiKey() {
        return context.apiKey();
    }

    /** The bare lower-case host of a website (`https://www.Acme.com/x` → `acme.com`), or null. */
    protected static String host(String website) {
        if (website == null) {
            return null;
        }
        String host = website.replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "");
        int end = host.length();
        for (char stop : new char[] {'/', '?', '#', ':'}) {
            int at = host.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        host = host.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        if (host.startsWith("www.")) {
            host = host.substring(4);
        }
        return host.isBlank() ? null : host;
    }

    protected static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A miss, for answers that mean "nothing known". */
    protected static Uni<ProviderOutcome> miss() {
        return Uni.createFrom().item(new ProviderOutcome.Miss());
    }

    /** A contact the vendor cannot be asked about (not enough identifiers for it) is a miss, not a failure. */
    protected static Uni<ProviderOutcome> notAskable() {
        return miss();
    }
}
