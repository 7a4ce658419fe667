package dev.cascade.waterfall.providers.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which MX addresses the verifier may connect to. An MX record can name any host, so a hostile domain could point
 * its MX at the gateway's own network (loopback, RFC 1918, link-local cloud metadata, CGNAT, unique-local IPv6…) and
 * use the probe to scan it: those are refused unless an operator allows a block explicitly (the tests and the local
 * profile allow loopback). Public addresses are allowed unless `allow-public` is off (the local profile turns it off,
 * so a developer machine never speaks SMTP to the internet). The same idea as the webhook egress policy, kept apart
 * because its configuration and its refusals belong to this provider.
 */
final class MxEgress {
    /** Blocks that are never a public mail exchanger (IPv4-mapped IPv6 arrives here as IPv4: Java unwraps it). */
    private static final List<Block> INTERNAL = List.of(
            Block.parse("0.0.0.0/8"),
            Block.parse("10.0.0.0/8"),
            Block.parse("100.64.0.0/10"),
            Block.parse("127.0.0.0/8"),
            Block.parse("169.254.0.0/16"),
            Block.parse("172.16.0.0/12"),
            Block.parse("192.0.0.0/24"),
            Block.parse("192.0.2.0/24"),
            Block.parse("192.168.0.0/16"),
            Block.parse("198.18.0.0/15"),
            Block.parse("198.51.100.0/24"),
            Block.parse("203.0.113.0/24"),
            Block.parse("224.0.0.0/4"),
            Block.parse("240.0.0.0/4"),
            Block.parse("::/96"),
            Block.parse("::ffff:0:0:0/96"),
            Block.parse("64:ff9b::/96"),
            Block.parse("64:ff9b:1::/48"),
            Block.parse("100::/64"),
            Block.parse("2001::/23"),
            Block.parse("2001:db8::/32"),
            Block.parse("2002::/16"),
            Block.parse("fc00::/7"),
            Block.parse("fe80::/10"),
            Block.parse("fec0::/10"),
            Block.parse("ff00::/8"));

    static final String REFUSED = "MX address not allowed by the egress policy";

    private final boolean allowPublic;
    private final List<Block> allowed = new ArrayList<>();

    MxEgress(boolean allowPublic, List<String> allow) {
        this.allowPublic = allowPublic;
        for (String entry : allow) {
            if (!entry.isBlank()) {
                if (!isIpLiteral(entry.trim().replaceFirst("/\\d+$", ""))) {
                    throw new IllegalArgumentException("smtp.egress-allow entries must be address blocks: " + entry);
                }
                allowed.add(Block.parse(entry));
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

    /** A dotted-quad IPv4 or an IPv6 literal; only literals are parsed, so parsing never asks DNS. */
    static boolean isIpLiteral(String text) {
        String value = text.trim();
        return value.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (value.contains(":") && value.matches("[0-9a-fA-F:.]+"));
    }

    /** An address block such as {@code 10.0.0.0/8}. */
    private record Block(byte[] network, int prefix) {
        static Block parse(String text) {
            String value = text.trim();
            int slash = value.indexOf('/');
            String address = slash < 0 ? value : value.substring(0, slash);
            try {
                byte[] bytes = InetAddress.getByName(address).getAddress();
                int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(value.substring(slash + 1));
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException("bad prefix length: " + text);
                }
                return new Block(bytes, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not an address block: " + text, e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }
}
