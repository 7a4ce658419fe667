package dev.cascade.webhooks;

import java.net.URI;
import java.util.Locale;
import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.config.CascadeConfig;

/**
 * Which webhook URLs the gateway may call: absolute `https` URLs (plain `http` only where the operator allows it).
 * Checked at submit and again before every attempt.
 */
@ApplicationScoped
public class EgressPolicy {
    private final CascadeConfig config;

    public EgressPolicy(CascadeConfig config) {
        this.config = config;
    }

    /** Null when the URL may be called, else a short reason. */
    public String refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return "must be an absolute URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getHost().isBlank()) {
            return "must be an absolute URL";
        }
        if (!scheme.equals("https")
                && !(scheme.equals("http") && config.webhooks().allowHttp())) {
            return config.webhooks().allowHttp() ? "must be an http or https URL" : "must be an https URL";
        }
        if (uri.getUserInfo() != null) {
            return "must not carry credentials";
        }
        return null;
    }
}
