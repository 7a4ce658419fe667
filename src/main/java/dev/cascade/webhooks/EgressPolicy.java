package dev.cascade.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.WorkerExecutor;

import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Cidr;

/**
 * Which webhook URLs the gateway may call (§6.5): absolute `https` URLs (plain `http` only where the operator allows
 * it) whose host resolves only to public addresses. Loopback, private (RFC 1918), link-local (cloud metadata), CGNAT,
 * unique-local, multicast, unspecified, documentation and reserved blocks are refused in IPv4, IPv6 and
 * IPv4-mapped/compatible forms, unless the operator allows a block or host explicitly. Checked at submit and again
 * before every attempt.
 */
@Startup // a bad `egress-allow` entry fails start-up, not every later request
@ApplicationScoped
public class EgressPolicy {
    static final String BLOCKED = "resolves to an address the egress policy does not allow";
    static final String UNKNOWN_HOST = "unknown host";
    /** Bound of one DNS lookup; a name server that never answers must not hold anything up. */
    static final Duration DNS_TIMEOUT = Duration.ofSeconds(3);

    /** Blocks that are never a public webhook receiver. IPv4-mapped IPv6 addresses arrive here as IPv4 (Java unwraps them). */
    private static final List<Cidr> BLOCKED_BLOCKS = Cidr.NOT_PUBLIC;

    private final CascadeConfig.Webhooks config;
    private final WorkerExecutor dns;
    private final List<Cidr> allowedBlocks = new ArrayList<>();
    private final Set<String> allowedHosts = new TreeSet<>();

    public EgressPolicy(CascadeConfig config, Vertx vertx) {
        this.config = config.webhooks();
        // Lookups run on a small pool of their own, unordered, so a slow name server holds up nothing else.
        this.dns = vertx.createSharedWorkerExecutor("cascade-egress-dns", 8);
        for (String entry : this.config.egressAllow().orElse(List.of())) {
            if (entry.isBlank()) {
                continue;
            }
            if (Cidr.isIpLiteral(entry)) {
                allowedBlocks.add(Cidr.parse(entry));
            } else {
                allowedHosts.add(entry.trim().toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Null when the URL's form is acceptable (scheme, host, port, no credentials), else a short reason. */
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
        if (!scheme.equals("https") && !(scheme.equals("http") && config.allowHttp())) {
            return config.allowHttp() ? "must be an http or https URL" : "must be an https URL";
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            return "has an invalid port";
        }
        if (uri.getUserInfo() != null) {
            return "must not carry credentials";
        }
        return null;
    }

    /**
     * What the policy says about a URL now: a refusal (with a short reason), or leave to call it, with the checked
     * address the connection must go to ({@code address} null: connect by name — an operator-allowed host, or a
     * host that did not resolve at submit).
     */
    public record Decision(String refusal, InetAddress address) {
        static Decision refuse(String reason) {
            return new Decision(reason, null);
        }

        static Decision allow(InetAddress address) {
            return new Decision(null, address);
        }
    }

    /** Null when the URL may be accepted at submit, else a short reason (see {@link #decide}). */
    public Uni<String> check(String url, boolean strict) {
        return decide(url, strict).map(Decision::refusal);
    }

    /**
     * Resolves the URL's host off the event loop (on a pool of its own, unordered, within {@link #DNS_TIMEOUT}):
     * every address it resolves to must be allowed. A host that does not resolve is refused only when {@code strict}
     * (at an attempt); at submit it is accepted, since DNS may answer later, and checked again at every attempt.
     */
    public Uni<Decision> decide(String url, boolean strict) {
        String form = refusal(url);
        if (form != null) {
            return Uni.createFrom().item(Decision.refuse(form));
        }
        String host = hostOf(url);
        if (host.contains("%")) {
            return Uni.createFrom().item(Decision.refuse("must not name a scoped address"));
        }
        if (allowedHosts.contains(host)) {
            return Uni.createFrom().item(Decision.allow(null));
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            return Uni.createFrom().item(allowed(loopback) ? Decision.allow(loopback) : Decision.refuse(BLOCKED));
        }
        Uni<Decision> lookup = Uni.createFrom().item(() -> {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                return strict ? Decision.refuse(UNKNOWN_HOST) : Decision.allow(null);
            }
            for (InetAddress address : addresses) {
                if (!allowed(address)) {
                    return Decision.refuse(BLOCKED);
                }
            }
            return Decision.allow(addresses[0]);
        });
        return dns.executeBlocking(lookup, false)
                .ifNoItem()
                .after(DNS_TIMEOUT)
                .recoverWithItem(() -> strict ? Decision.refuse(UNKNOWN_HOST) : Decision.allow(null));
    }

    /** Whether an address may be called: public, or explicitly allowed by the operator. */
    boolean allowed(InetAddress address) {
        if (allowedBlocks.stream().anyMatch(b -> b.contains(address))) {
            return true;
        }
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return false;
        }
        if (address instanceof Inet6Address v6 && v6.isIPv4CompatibleAddress()) {
            return false;
        }
        return BLOCKED_BLOCKS.stream().noneMatch(b -> b.contains(address));
    }

    private static String hostOf(String url) {
        String host = URI.create(url).getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
