package dev.cascade.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** An IPv4 or IPv6 address block, such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
public record Cidr(byte[] network, int prefix) {
    /**
     * Blocks that are never a public host (webhook receiver, mail exchanger): private, loopback, link-local (cloud
     * metadata), CGNAT, documentation, multicast, reserved, and their IPv6 counterparts. IPv4-mapped IPv6 addresses
     * arrive as IPv4 when Java unwraps them.
     */
    public static final List<Cidr> NOT_PUBLIC = List.of(
            // IPv4
            Cidr.parse("0.0.0.0/8"), // "this network", unspecified
            Cidr.parse("10.0.0.0/8"), // private
            Cidr.parse("100.64.0.0/10"), // CGNAT
            Cidr.parse("127.0.0.0/8"), // loopback
            Cidr.parse("169.254.0.0/16"), // link-local, cloud metadata
            Cidr.parse("172.16.0.0/12"), // private
            Cidr.parse("192.0.0.0/24"), // IETF protocol assignments
            Cidr.parse("192.0.2.0/24"), // documentation
            Cidr.parse("192.88.99.0/24"), // 6to4 relay anycast
            Cidr.parse("192.168.0.0/16"), // private
            Cidr.parse("198.18.0.0/15"), // benchmarking
            Cidr.parse("198.51.100.0/24"), // documentation
            Cidr.parse("203.0.113.0/24"), // documentation
            Cidr.parse("224.0.0.0/4"), // multicast
            Cidr.parse("240.0.0.0/4"), // reserved, broadcast
            // IPv6
            Cidr.parse("::/96"), // unspecified, loopback, IPv4-compatible
            Cidr.parse("::ffff:0:0:0/96"), // IPv4-translated (RFC 2765)
            Cidr.parse("64:ff9b::/96"), // NAT64
            Cidr.parse("64:ff9b:1::/48"), // local-use NAT64
            Cidr.parse("100::/64"), // discard
            Cidr.parse("2001::/23"), // IETF protocol assignments (Teredo, benchmarking, ORCHID)
            Cidr.parse("2001:db8::/32"), // documentation
            Cidr.parse("2002::/16"), // 6to4
            Cidr.parse("3fff::/20"), // documentation
            Cidr.parse("fc00::/7"), // unique-local
            Cidr.parse("fe80::/10"), // link-local
            Cidr.parse("fec0::/10"), // site-local (deprecated)
            Cidr.parse("ff00::/8")); // multicast

    public static Cidr parse(String text) {
        String value = text.trim();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        if (!isIpLiteral(address)) {
            throw new IllegalArgumentException("not an IP block: " + text);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(value.substring(slash + 1));
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("bad prefix length: " + text);
            }
            return new Cidr(bytes, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not an IP block: " + text, e);
        }
    }

    /**
     * Whether the text (an address, or an address block with a prefix length) is an IP literal: a dotted-quad IPv4
     * address or an IPv6 address. Only literals are parsed, so that parsing never looks a name up in DNS.
     */
    public static boolean isIpLiteral(String text) {
        String value = text.trim();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        return address.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                || (address.contains(":") && address.matches("[0-9a-fA-F:.]+"));
    }

    public boolean contains(InetAddress address) {
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
