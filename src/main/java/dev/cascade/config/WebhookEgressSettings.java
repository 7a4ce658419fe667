package dev.cascade.config;

import java.util.List;
import java.util.Optional;

/**
 * Where webhook host names are resolved and which ports a webhook URL may name (keys directly under
 * `cascade.webhooks.*`, beside `allow-http` and `egress-allow`).
 */
public interface WebhookEgressSettings {

    /**
     * Name servers webhook hosts are resolved with, as IP addresses with an optional port (`10.0.0.2`,
     * `10.0.0.2:5353`, `[fd00::53]:53`), asked directly and without blocking a thread; names are asked as given
     * (fully qualified, no search domains) for A and AAAA records, on every check, uncached: point it at a caching
     * resolver. Unset (the default): the JVM's resolver (hosts file, search domains, its own cache) on a small pool of
     * threads.
     */
    Optional<List<String>> dnsServers();

    /**
     * Ports a webhook URL may name besides the scheme's own (443 for `https`, 80 for `http` where http is allowed),
     * as ports or ranges: `8443,9000-9099`. Unset (the default): none. The test and local profiles allow
     * `1024-65535`, for receivers on random loopback ports.
     */
    Optional<List<String>> allowedPorts();
}
