package dev.cascade.webhooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Cidr;

/**
 * Which webhook URLs the gateway may call (§6.5): absolute `https` URLs (plain `http` only where the operator allows
 * it) on the scheme's own port (others only where the operator allows them) whose host resolves only to public
 * addresses. Loopback, private (RFC 1918), link-local (cloud metadata), CGNAT, unique-local, multicast, unspecified,
 * documentation and reserved blocks are refused in IPv4, IPv6 and IPv4-mapped/compatible forms (a mapped or
 * compatible address is judged, and connected to, as the IPv4 address it carries; a NAT64 one as well as the IPv4
 * host behind it), unless the operator allows a block or host explicitly. Checked at submit and again before every
 * attempt; an attempt connects to the address that was checked, never to the name again.
 */
@Startup // a bad `egress-allow` or `allowed-ports` entry fails start-up, not every later request
@ApplicationScoped
public class EgressPolicy {
    static final String BLOCKED = "resolves to an address the egress policy does not allow";
    static final String UNKNOWN_HOST = "unknown host";
    /** Bound of one DNS lookup; a name server that never answers must not hold anything up. */
    static final Duration DNS_TIMEOUT = Duration.ofSeconds(3);

    /** Blocks that are never a public webhook receiver (addresses are made {@link Cidr#canonical} first). */
    private static final List<Cidr> BLOCKED_BLOCKS = Cidr.NOT_PUBLIC;

    private final CascadeConfig.Webhooks config;
    private final WebhookDns dns;
    private final List<Cidr> allowedBlocks = new ArrayList<>();
    private final Set<String> allowedHosts = new TreeSet<>();
    private final BitSet allowedPorts;

    public EgressPolicy(CascadeConfig config, WebhookDns dns) {
        this.config = config.webhooks();
        this.dns = dns;
        for (String entry : this.config.egressAllow().orElse(List.of())) {
            if (entry.isBlank()) {
                continue;
            }
            if (Cidr.isIpLiteral(entry)) {
                allowedBlocks.add(Cidr.parse(entry).canonical());
            } else {
                allowedHosts.add(entry.trim().toLowerCase(Locale.ROOT));
            }
        }
        this.allowedPorts = ports(this.config.egress().allowedPorts().orElse(List.of()));
    }

    /** `8443` or `9000-9099` entries as a set of ports; anything else refuses start-up. */
    static BitSet ports(List<String> entries) {
        BitSet ports = new BitSet(65536);
        for (String entry : entries) {
            String value = entry.trim();
            if (value.isEmpty()) {
                continue;
            }
            int dash = value.indexOf('-');
            try {
                int low = Integer.parseInt((dash < 0 ? value : value.substring(0, dash)).trim());
                int high = dash < 0
                        ? low
                        : Integer.parseInt(value.substring(dash + 1).trim());
                if (low < 1 || high > 65535 || low > high) {
                    throw new IllegalArgumentException("cascade.webhooks.allowed-ports: bad range " + entry);
                }
                ports.set(low, high + 1);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cascade.webhooks.allowed-ports: not a port or range " + entry, e);
            }
        }
        return ports;
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
        int port = uri.getPort();
        if (port != -1 && (port < 1 || port > 65535)) {
            return "has an invalid port";
        }
        // Any other port would let a tenant aim our requests at whatever else listens on a public host.
        int standard = scheme.equals("https") ? 443 : 80;
        if (port != -1 && port != standard && !allowedPorts.get(port)) {
            return "must use port " + standard + " (or a port the gateway allows)";
        }
        if (uri.getUserInfo() != null) {
            return "must not carry credentials";
        }
        return null;
    }

    /**
     * What the policy says about a URL now: a refusal (with a short reason), or leave to call it, with the checked
     * address the connection must go to. The address is null only at submit, for a host that did not resolve then;
     * an attempt ({@code strict}) is never allowed without one, so it never connects by name.
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
     * Resolves the URL's host (through {@link WebhookDns}, within {@link #DNS_TIMEOUT}): every address it resolves to
     * must be allowed, and the first is the one to connect to, in its IPv4 form when it carries one. A host the
     * operator allows by name is resolved too, and its address pinned likewise, though not checked. A host that does
     * not resolve is refused only when {@code strict} (at an attempt); at submit it is accepted, since DNS may answer
     * later, and checked again at every attempt.
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
        boolean trusted = allowedHosts.contains(host);
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            // RFC 6761: always loopback, never asked of DNS.
            return Uni.createFrom().item(judge(List.of(InetAddress.getLoopbackAddress()), trusted, strict));
        }
        if (host.contains(":") || host.matches("[0-9.]+")) {
            // An address literal, never looked up: `2130706433` is 127.0.0.1, as Java and C read it.
            InetAddress literal = literal(host);
            return Uni.createFrom()
                    .item(
                            literal == null
                                    ? Decision.refuse("must name a valid host")
                                    : judge(List.of(literal), trusted, strict));
        }
        return Uni.createFrom().deferred(() -> {
            // A resolver's answer or the timeout arrives on a thread of its own; the caller goes on (to a database
            // transaction, to the HTTP client) on the Vert.x context it asked from.
            Context caller = Vertx.currentContext();
            Uni<Decision> decision = dns.addresses(host)
                    .ifNoItem()
                    .after(DNS_TIMEOUT)
                    .fail()
                    .map(addresses -> judge(addresses, trusted, strict))
                    .onFailure()
                    .recoverWithItem(() -> strict ? Decision.refuse(UNKNOWN_HOST) : Decision.allow(null));
            return caller == null ? decision : decision.emitOn(task -> caller.runOnContext(ignored -> task.run()));
        });
    }

    private Decision judge(List<InetAddress> addresses, boolean trusted, boolean strict) {
        if (addresses.isEmpty()) {
            return strict ? Decision.refuse(UNKNOWN_HOST) : Decision.allow(null);
        }
        List<InetAddress> canonical = addresses.stream().map(Cidr::canonical).toList();
        if (!trusted && !canonical.stream().allMatch(this::allowed)) {
            return Decision.refuse(BLOCKED);
        }
        return Decision.allow(canonical.get(0));
    }

    /**
     * Whether an address may be called: public, or explicitly allowed by the operator. A mapped or compatible address
     * is judged as the IPv4 address it carries; a NAT64 address only if the IPv4 host behind it may be called too
     * (the NAT64 prefix itself is refused unless the operator allows it).
     */
    boolean allowed(InetAddress given) {
        InetAddress address = Cidr.canonical(given);
        Inet4Address behind = Cidr.nat64Embedded(address);
        if (behind != null && !allowed(behind)) {
            return false;
        }
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
        return BLOCKED_BLOCKS.stream().noneMatch(b -> b.contains(address));
    }

    /** The address an IP literal host names, or null when it is not a valid one. */
    static InetAddress literal(String host) {
        if (host.contains(":")) {
            try {
                // With a colon Java parses an IPv6 literal or refuses it: it never looks the text up.
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        // Dotted IPv4 in any of inet_aton's decimal forms: a, a.b, a.b.c, a.b.c.d (the last part fills the rest).
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 10) {
                return null;
            }
            long value = Long.parseLong(parts[i]);
            int width = i < parts.length - 1 ? 1 : 4 - i;
            if (value >= 1L << (8 * width)) {
                return null;
            }
            for (int b = 0; b < width; b++) {
                bytes[i + b] = (byte) (value >>> (8 * (width - 1 - b)));
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String hostOf(String url) {
        String host = URI.create(url).getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
