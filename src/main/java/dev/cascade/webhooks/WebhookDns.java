package dev.cascade.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.WorkerExecutor;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Cidr;

/**
 * Resolves webhook host names for the egress policy. By default with the JVM's resolver (hosts file, search domains,
 * its cache), which blocks, so on a small pool of its own; with `cascade.webhooks.dns-servers` with dnsjava, asking
 * those servers for A and AAAA records without blocking a thread (and so a test can answer through a stub server).
 * Addresses come back as the records give them: an IPv4-mapped AAAA stays IPv6, as the JVM's resolver returns it, and
 * it is the policy's job to see the IPv4 host inside.
 */
@Startup // a bad `dns-servers` entry fails start-up, not the first webhook
@ApplicationScoped
public class WebhookDns {
    /** A name server that could not be asked, or answered with an error (SERVFAIL, REFUSED…): not "no such host". */
    static final class LookupFailed extends RuntimeException {
        LookupFailed(String message) {
            super(message, null, false, false);
        }
    }

    private final Resolver resolver;
    private final WorkerExecutor pool;

    public WebhookDns(CascadeConfig config, Vertx vertx) {
        List<String> servers = config.webhooks().egress().dnsServers().orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        this.resolver = servers.isEmpty() ? null : resolver(servers);
        // Lookups run on a small pool of their own, unordered, so a slow name server holds up nothing else.
        this.pool = resolver == null ? vertx.createSharedWorkerExecutor("cascade-egress-dns", 8) : null;
    }

    private static Resolver resolver(List<String> servers) {
        List<Resolver> each = new ArrayList<>();
        for (String server : servers) {
            SimpleResolver simple = new SimpleResolver(socketAddress(server));
            simple.setTimeout(EgressPolicy.DNS_TIMEOUT);
            each.add(simple);
        }
        if (each.size() == 1) {
            return each.get(0);
        }
        ExtendedResolver extended = new ExtendedResolver(each);
        extended.setTimeout(EgressPolicy.DNS_TIMEOUT);
        extended.setRetries(1);
        return extended;
    }

    /** Name servers must be IP literals: resolving a name server's own name would need the resolver it configures. */
    static InetSocketAddress socketAddress(String server) {
        String host = server;
        String port = "53";
        if (server.startsWith("[") && server.contains("]")) {
            int close = server.indexOf(']');
            host = server.substring(1, close);
            if (server.length() > close + 1) {
                if (server.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("cascade.webhooks.dns-servers: bad entry " + server);
                }
                port = server.substring(close + 2);
            }
        } else if (server.indexOf(':') > 0 && server.indexOf(':') == server.lastIndexOf(':')) {
            host = server.substring(0, server.indexOf(':'));
            port = server.substring(server.indexOf(':') + 1);
        }
        if (!Cidr.isIpLiteral(host) || host.contains("/")) {
            throw new IllegalArgumentException("cascade.webhooks.dns-servers entries must be IP addresses: " + server);
        }
        try {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                throw new IllegalArgumentException("cascade.webhooks.dns-servers: bad port in " + server);
            }
            return new InetSocketAddress(InetAddress.getByName(host), number);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IllegalArgumentException("cascade.webhooks.dns-servers: bad entry " + server, e);
        }
    }

    /**
     * The host's addresses (IPv4 first with configured name servers, the JVM's order otherwise); empty when the name
     * does not exist or has no address. Fails with {@link LookupFailed} when the name servers give no answer.
     */
    public Uni<List<InetAddress>> addresses(String host) {
        if (resolver == null) {
            Uni<List<InetAddress>> lookup = Uni.createFrom().item(() -> {
                try {
                    return List.of(InetAddress.getAllByName(host));
                } catch (UnknownHostException e) {
                    return List.of();
                }
            });
            return pool.executeBlocking(lookup, false);
        }
        Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.combine()
                .all()
                .unis(query(name, Type.A), query(name, Type.AAAA))
                .with((v4, v6) -> {
                    List<InetAddress> all = new ArrayList<>(v4);
                    all.addAll(v6);
                    return List.copyOf(all);
                });
    }

    private Uni<List<InetAddress>> query(Name name, int type) {
        Message question = Message.newQuery(org.xbill.DNS.Record.newRecord(name, type, DClass.IN));
        return Uni.createFrom()
                .completionStage(() -> resolver.sendAsync(question))
                .onFailure()
                .transform(failure -> new LookupFailed("no answer"))
                .map(response -> {
                    int rcode = response.getRcode();
                    if (rcode == Rcode.NXDOMAIN) {
                        return List.of();
                    }
                    if (rcode != Rcode.NOERROR) {
                        throw new LookupFailed(Rcode.string(rcode));
                    }
                    List<InetAddress> addresses = new ArrayList<>();
                    for (org.xbill.DNS.Record record : response.getSection(Section.ANSWER)) {
                        if (record instanceof ARecord || record instanceof AAAARecord) {
                            addresses.add(address(record.rdataToWireCanonical()));
                        }
                    }
                    return addresses;
                });
    }

    /**
     * The record's data as an address: 4 bytes IPv4, 16 bytes IPv6 even when mapped (dnsjava's own getter would
     * unwrap it, which the JVM's resolver does not).
     */
    private static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new LookupFailed("bad address record");
        }
    }
}
