package dev.cascade.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address block, such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
record Cidr(byte[] network, int prefix) {

    static Cidr parse(String text) {
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
    static boolean isIpLiteral(String text) {
        String value = text.trim();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        return address.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                || (address.contains(":") && address.matches("[0-9a-fA-F:.]+"));
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
