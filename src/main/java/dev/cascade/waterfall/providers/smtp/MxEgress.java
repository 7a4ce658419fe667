package dev.cascade.waterfall.providers.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import dev.cascade.support.Cidr;

/**
 * Which MX addresses the verifier may connect to. An MX record can name any host, so a hostile domain could point
 * its MX at the gateway's own network (loopback, RFC 1918, link-local cloud metadata, CGNAT, unique-local IPv6…) and
 * use the probe to scan it: those are refused unless an operator allows a block explicitly (the tests and the local
 * profile allow loopback). Public addresses are allowed unless `allow-public` is off (the local profile turns it off,
 * so a developer machine never speaks SMTP to the internet). It shares the blocks that are never public with the webhook
 * egress policy ({@link Cidr#NOT_PUBLIC}); its configuration and its refusals belong to this provider.
 */
final class MxEgress {
    /** Blocks that are never a public mail exchanger (IPv4-mapped IPv6 arrives here as IPv4: Java unwraps it). */
    private static final List<Cidr> INTERNAL = Cidr.NOT_PUBLIC;

    static final String REFUSED = "MX address not allowed by the egress policy";

    private final boolean allowPublic;
    private final List<Cidr> allowed = new ArrayList<>();

    MxEgress(boolean allowPublic, List<String> allow) {
        this.allowPublic = allowPublic;
        for (String entry : allow) {
            if (!entry.isBlank()) {
                if (!Cidr.isIpLiteral(entry)) {
                    throw new IllegalArgumentException("smtp.egress-allow entries must be address blocks: " + entry);
                }
                allowed.add(Cidr.parse(entry).canonical());
            }
        }
    }

    /** Whether the verifier may connect to this address. */
    boolean allowed(InetAddress address) {
        if (allowed.stream().anyMatch(b -> b.contains(address))) {
            return true;
        }
        if (internal(address)) {
            return false;
        }
        return allowPublic;
    }

    private static boolean internal(InetAddress address) {
        return address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()
                || (address instanceof Inet6Address v6 && v6.isIPv4CompatibleAddress())
                || INTERNAL.stream().anyMatch(b -> b.contains(address));
    }
}
