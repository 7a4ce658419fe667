package dev.cascade.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * A DNS server on loopback (UDP) built on dnsjava's message parsing: answers MX, A, AAAA and TXT records from a zone,
 * NODATA for a name that exists without the asked type, NXDOMAIN (with an SOA) for any other name, and nothing at all
 * for names marked silent (a resolver timeout).
 */
public final class LoopbackDns implements AutoCloseable {
    private static final long TTL = 300;
    private final DatagramSocket socket;
    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    public LoopbackDns() {
        try {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public LoopbackDns mx(String domain, int preference, String host) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(host)));
    }

    /** RFC 7505: a single MX of preference 0 whose target is the root. */
    public LoopbackDns nullMx(String domain) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, 0, Name.root));
    }

    public LoopbackDns a(String host, String ip) {
        try {
            return add(new ARecord(name(host), DClass.IN, TTL, InetAddress.getByName(ip)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An AAAA record. An IPv4-mapped text (`::ffff:169.254.169.254`) goes on the wire as the 16-byte mapped address,
     * as a hostile zone would publish it.
     */
    public LoopbackDns aaaa(String host, String ip) {
        try {
            byte[] bytes = InetAddress.getByName(ip).getAddress();
            if (bytes.length == 4) {
                // Java unwrapped the mapped literal, and dnsjava would then write 4 bytes of AAAA data: re-wrap it.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                bytes = mapped;
            }
            InetAddress v6 = Inet6Address.getByAddress(null, bytes, -1);
            return add(new AAAARecord(name(host), DClass.IN, TTL, v6));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets every record of a name (it answers NXDOMAIN again). */
    public LoopbackDns remove(String host) {
        zone.remove(name(host));
        return this;
    }

    /** A name that exists but has neither MX nor address records. */
    public LoopbackDns txt(String name, String text) {
        return add(new TXTRecord(name(name), DClass.IN, TTL, text));
    }

    /** A name whose queries are never answered. */
    public LoopbackDns silent(String name) {
        silent.add(name(name));
        return this;
    }

    private LoopbackDns add(Record record) {
        zone.computeIfAbsent(record.getName(), n -> new ArrayList<>()).add(record);
        return this;
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Message answer = answer(query);
                if (answer != null) {
                    byte[] wire = answer.toWire();
                    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private Message answer(Message query) {
        Record question = query.getQuestion();
        if (question == null || silent.contains(question.getName())) {
            return null;
        }
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            answer.getHeader().setFlag(Flags.RD);
        }
        answer.addRecord(question, Section.QUESTION);
        List<Record> records = zone.get(question.getName());
        if (records == null) {
            answer.getHeader().setRcode(Rcode.NXDOMAIN);
            answer.addRecord(soa(), Section.AUTHORITY);
            return answer;
        }
        boolean any = false;
        for (Record record : records) {
            if (record.getType() == question.getType()) {
                answer.addRecord(record, Section.ANSWER);
                any = true;
            }
        }
        if (!any) {
            answer.addRecord(soa(), Section.AUTHORITY);
        }
        return answer;
    }

    private static Record soa() {
        return new SOARecord(
                name("test"), DClass.IN, 60, name("ns.test"), name("hostmaster.test"), 1, 3600, 600, 86400, 60);
    }

    @Override
    public void close() {
        socket.close();
    }
}
