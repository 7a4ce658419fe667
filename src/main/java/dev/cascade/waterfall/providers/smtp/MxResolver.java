package dev.cascade.waterfall.providers.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.smallrye.mutiny.Uni;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import dev.cascade.config.SmtpVerifySettings;
import dev.cascade.support.Cidr;

/**
 * Where a domain's mail goes (RFC 5321 §5): its MX records by preference (equal preferences in random order), else
 * the domain itself when it has an A or AAAA record (the implicit MX), none for a null MX (RFC 7505: a single MX
 * `0 .`) or a domain that does not exist. Answers are cached as long as their TTL says (a negative answer as long
 * as its SOA says), within configured bounds; failures (timeout, SERVFAIL) are never cached.
 */
final class MxResolver {

    /** What a domain's DNS says about its mail. */
    sealed interface Route {}

    /** The hosts to try, best first; {@code implicit} when the domain has no MX and its own address is used. */
    record Exchangers(List<Exchanger> hosts, boolean implicit) implements Route {}

    /** NXDOMAIN: the domain does not exist. */
    record NoDomain() implements Route {}

    /** The domain publishes a null MX: it accepts no mail. */
    record NullMx() implements Route {}

    /** No MX and no address: nowhere to deliver. */
    record NoMail() implements Route {}

    /** The name servers could not be asked (timeout, SERVFAIL, REFUSED). */
    record DnsFailure(String reason) implements Route {}

    record Exchanger(String host, int preference) {}

    /** A host's addresses, or why they are not known. */
    record Addresses(List<InetAddress> addresses, String failure) {}

    /** One cached answer: the records of the type asked (none for NODATA and NXDOMAIN) and how long it is good for. */
    private record Answer(int rcode, List<Record> records, long ttlSeconds) {}

    private static final class DnsProblem extends RuntimeException {
        DnsProblem(String message) {
            super(message, null, false, false);
        }
    }

    private final Resolver resolver;
    private final Duration timeout;
    private final boolean ipv6;
    private final Cache<String, Answer> cache;

    MxResolver(SmtpVerifySettings settings) {
        SmtpVerifySettings.Dns dns = settings.dns();
        this.resolver = resolver(dns);
        this.timeout = dns.timeout();
        this.ipv6 = settings.ipv6();
        long min = dns.minTtl().toSeconds();
        long max = dns.maxTtl().toSeconds();
        long negative = dns.negativeTtl().toSeconds();
        this.cache = Caffeine.newBuilder()
                .maximumSize(dns.cacheSize())
                .expireAfter(Expiry.<String, Answer>creating((key, answer) -> {
                    long cap = answer.records().isEmpty() ? negative : max;
                    return Duration.ofSeconds(Math.max(min, Math.min(cap, answer.ttlSeconds())));
                }))
                .build();
    }

    /** Name servers must be IP literals: resolving a name server's own name would need the resolver it configures. */
    private static Resolver resolver(SmtpVerifySettings.Dns dns) {
        List<String> servers = dns.servers().orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        Resolver resolver;
        if (servers.isEmpty()) {
            resolver = new ExtendedResolver();
        } else {
            List<Resolver> each = new ArrayList<>();
            for (String server : servers) {
                each.add(new SimpleResolver(socketAddress(server)));
            }
            resolver = each.size() == 1 ? each.get(0) : new ExtendedResolver(each);
        }
        if (resolver instanceof ExtendedResolver extended) {
            extended.setRetries(1);
        }
        resolver.setTimeout(dns.timeout());
        return resolver;
    }

    static InetSocketAddress socketAddress(String server) {
        String host = server;
        int port = 53;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            host = server.substring(1, close < 0 ? server.length() : close);
            if (close > 0 && server.length() > close + 2 && server.charAt(close + 1) == ':') {
                port = parsePort(server, server.substring(close + 2));
            }
        } else if (server.indexOf(':') == server.lastIndexOf(':') && server.contains(":")) {
            host = server.substring(0, server.indexOf(':'));
            port = parsePort(server, server.substring(server.indexOf(':') + 1));
        }
        if (!Cidr.isIpLiteral(host)) {
            throw new IllegalArgumentException("smtp.dns.servers entries must be IP addresses: " + server);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("smtp.dns.servers has a bad address: " + server, e);
        }
    }

    private static int parsePort(String server, String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("smtp.dns.servers has a bad port: " + server, e);
        }
    }

    /** The mail route of a domain (lower-case ASCII, no trailing dot). */
    Uni<Route> route(String domain) {
        Name name;
        try {
            name = Name.fromString(domain, Name.root);
        } catch (TextParseException e) {
            return Uni.createFrom().item(new NoDomain());
        }
        return query(name, Type.MX)
                .chain(mx -> {
                    if (mx.rcode() == Rcode.NXDOMAIN) {
                        return Uni.createFrom().item((Route) new NoDomain());
                    }
                    if (!mx.records().isEmpty()) {
                        return Uni.createFrom().item(exchangers(mx.records()));
                    }
                    return implicit(name, domain);
                })
                .onFailure(DnsProblem.class)
                .recoverWithItem(problem -> new DnsFailure(problem.getMessage()));
    }

    private static Route exchangers(List<Record> records) {
        List<Exchanger> hosts = new ArrayList<>();
        for (Record record : records) {
            MXRecord mx = (MXRecord) record;
            if (mx.getTarget().equals(Name.root)) {
                return new NullMx();
            }
            hosts.add(new Exchanger(hostName(mx.getTarget()), mx.getPriority()));
        }
        Collections.shuffle(hosts, ThreadLocalRandom.current());
        hosts.sort(Comparator.comparingInt(Exchanger::preference));
        return new Exchangers(List.copyOf(hosts), false);
    }

    /** RFC 5321 §5.1: without MX records the domain itself is the MX, if it has an address. */
    private Uni<Route> implicit(Name name, String domain) {
        return query(name, Type.A).chain(a -> {
            if (!a.records().isEmpty()) {
                return Uni.createFrom().item(new Exchangers(List.of(new Exchanger(domain, 0)), true));
            }
            return query(name, Type.AAAA)
                    .map(aaaa -> aaaa.records().isEmpty()
                            ? new NoMail()
                            : new Exchangers(List.of(new Exchanger(domain, 0)), true));
        });
    }

    /** The addresses of an MX host: IPv4 first, then IPv6 when enabled. */
    Uni<Addresses> addresses(String host) {
        Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            return Uni.createFrom().item(new Addresses(List.of(), "bad host name"));
        }
        Uni<List<InetAddress>> v6 = ipv6
                ? query(name, Type.AAAA).map(MxResolver::inet)
                : Uni.createFrom().item(List.of());
        return query(name, Type.A)
                .map(MxResolver::inet)
                .chain(v4 -> v6.map(six -> {
                    List<InetAddress> all = new ArrayList<>(v4);
                    all.addAll(six);
                    return new Addresses(List.copyOf(all), all.isEmpty() ? "no address" : null);
                }))
                .onFailure(DnsProblem.class)
                .recoverWithItem(problem -> new Addresses(List.of(), "DNS " + problem.getMessage()));
    }

    private static List<InetAddress> inet(Answer answer) {
        List<InetAddress> addresses = new ArrayList<>();
        for (Record record : answer.records()) {
            if (record instanceof ARecord a) {
                addresses.add(a.getAddress());
            } else if (record instanceof AAAARecord aaaa) {
                addresses.add(aaaa.getAddress());
            }
        }
        return addresses;
    }

    private Uni<Answer> query(Name name, int type) {
        String key = name + "/" + Type.string(type);
        Answer cached = cache.getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        Message question = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        return Uni.createFrom()
                .completionStage(() -> resolver.sendAsync(question))
                .ifNoItem()
                .after(timeout.multipliedBy(2).plusSeconds(1))
                .failWith(() -> new DnsProblem("timeout"))
                .onFailure(failure -> !(failure instanceof DnsProblem))
                .transform(MxResolver::problem)
                .map(response -> answer(response, type))
                .invoke(answer -> cache.put(key, answer));
    }

    private static Throwable problem(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String simple = cause.getClass().getSimpleName();
        return new DnsProblem(simple.contains("Timeout") ? "timeout" : "query failed");
    }

    private static Answer answer(Message response, int type) {
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new DnsProblem(Rcode.string(rcode));
        }
        List<Record> records = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record.getType() == type) {
                records.add(record);
                ttl = Math.min(ttl, record.getTTL());
            }
        }
        if (records.isEmpty()) {
            // RFC 2308: a negative answer lives as long as the smaller of the SOA's TTL and its minimum field.
            for (Record record : response.getSection(Section.AUTHORITY)) {
                if (record instanceof SOARecord soa) {
                    ttl = Math.min(soa.getTTL(), soa.getMinimum());
                }
            }
        }
        return new Answer(rcode, List.copyOf(records), ttl == Long.MAX_VALUE ? 0 : ttl);
    }

    private static String hostName(Name name) {
        String text = name.toString(true);
        return text.toLowerCase(java.util.Locale.ROOT);
    }
}
