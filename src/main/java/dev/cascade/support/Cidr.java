package dev.cascade.support;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/** An IPv4 or IPv6 address block, such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
public record Cidr(byte[] network, int prefix) {
    /**
     * Blocks that are never a public host (webhook receiver, mail exchanger): private, loopback, link-local (cloud
     * metadata), CGNAT, documentation, multicast, reserved, and their IPv6 counterparts. Java unwraps IPv4-mapped
     * literals into IPv4, but not the answers of a name service (`AAAA ::ffff:169.254.169.254` arrives as IPv6): a
     * caller that connects normalises with {@link #canonical} first; the mapped and compatible blocks stay listed so
     * that an address that was not normalised is refused, never let through.
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
            Cidr.parse("::ffff:0:0/96"), // IPv4-mapped
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

    /** The well-known NAT64 prefix (RFC 6052): its last 32 bits are the IPv4 host a NAT64 gateway forwards to. */
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");

    public static Cidr parse(String text) {
        String value = text.trim();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        if (!isIpLiteral(address)) {
            throw new IllegalArgumentException("not an IP block: " + text);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (address.contains(":") && bytes.length == 4) {
                // Java unwraps an IPv4-mapped literal; a block written in IPv6 keeps its IPv6 form and prefix.
                bytes = mapped(bytes);
            }
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

    /**
     * The address a connection really goes to: an IPv4-mapped ({@code ::ffff:a.b.c.d}) or IPv4-compatible
     * ({@code ::a.b.c.d}, except {@code ::} and {@code ::1}) IPv6 address as the IPv4 address it carries, anything
     * else as it is. A dual-stack socket sends a mapped address to the IPv4 host, so checking the IPv6 form alone
     * would let {@code ::ffff:127.0.0.1} past every IPv4 block.
     */
    public static InetAddress canonical(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] bytes = address.getAddress();
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return address;
            }
        }
        boolean mapped = bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
        boolean compatible = bytes[10] == 0 && bytes[11] == 0;
        if (!mapped && !compatible) {
            return address;
        }
        byte[] v4 = Arrays.copyOfRange(bytes, 12, 16);
        if (compatible && v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && (v4[3] == 0 || v4[3] == 1)) {
            return address; // `::` and `::1` are IPv6's own unspecified and loopback addresses
        }
        return ipv4(v4);
    }

    /** The IPv4 address a NAT64 address of the well-known prefix {@code 64:ff9b::/96} (RFC 6052) stands for, else null. */
    public static Inet4Address nat64Embedded(InetAddress address) {
        if (!NAT64.contains(address)) {
            return null;
        }
        return ipv4(Arrays.copyOfRange(address.getAddress(), 12, 16));
    }

    private static Inet4Address ipv4(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    private static byte[] mapped(byte[] v4) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return v6;
    }

    /**
     * This block as the addresses are compared after {@link #canonical}: a block inside {@code ::ffff:0:0/96} written
     * in IPv6 (an operator's {@code ::ffff:10.0.0.0/104}) as its IPv4 block ({@code 10.0.0.0/8}), anything else as it
     * is. For allowlists, whose entries must match the IPv4 form the addresses are judged in.
     */
    public Cidr canonical() {
        if (network.length != 16 || prefix < 96) {
            return this;
        }
        for (int i = 0; i < 10; i++) {
            if (network[i] != 0) {
                return this;
            }
        }
        if (network[10] != (byte) 0xff || network[11] != (byte) 0xff) {
            return this;
        }
        return new Cidr(Arrays.copyOfRange(network, 12, 16), prefix - 96);
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
