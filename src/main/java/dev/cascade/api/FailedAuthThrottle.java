package dev.cascade.api;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address for operator authentication: each wrong token spends one attempt, attempts come
 * back one per refill period up to the burst, and a client with none left is refused before its token is even
 * compared (otherwise a 200 among 429s would still confirm a guess). Every check takes an attempt and a right token
 * gives it back, so concurrent guesses from one address cannot outrun the bucket.
 *
 * <p>IPv6 clients are counted per /64 (one host usually holds a whole /64), IPv4-mapped IPv6 as IPv4. At most
 * {@code maxTracked} addresses are held; beyond that, new addresses share one overflow bucket, so a flood of addresses
 * neither grows memory nor multiplies the attempts.
 */
final class FailedAuthThrottle {
    static final String OVERFLOW = "(overflow)";

    private final int burst;
    private final long refillNanos;
    private final int maxTracked;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    FailedAuthThrottle(int burst, long refillNanos, int maxTracked, LongSupplier nanoClock) {
        if (burst < 1 || refillNanos < 1 || maxTracked < 1) {
            throw new IllegalArgumentException("cascade.admin.auth-throttle.* must all be positive");
        }
        Math.multiplyExact(burst, refillNanos); // burst x refill-period must fit in a long of nanoseconds
        this.burst = burst;
        this.refillNanos = refillNanos;
        this.maxTracked = maxTracked;
        this.nanoClock = nanoClock;
    }

    /** Takes one attempt for {@code client}: 0 when taken, else the seconds until one is available again. */
    long acquire(String client) {
        long now = nanoClock.getAsLong();
        return buckets.computeIfAbsent(key(client), k -> new Bucket(now)).acquire(now);
    }

    /** Gives back the attempt of a request that presented the right token (or no token at all). */
    void refund(String client) {
        String key = key(client);
        long now = nanoClock.getAsLong();
        buckets.computeIfPresent(key, (k, bucket) -> bucket.refund(now) ? null : bucket);
    }

    /** Attempts {@code client} has left right now (the burst for an unknown client). */
    int remaining(String client) {
        Bucket bucket = buckets.get(key(client));
        return bucket == null ? burst : bucket.remaining(nanoClock.getAsLong());
    }

    /** Seconds until {@code client} has its whole burst again (0 when it has). */
    long secondsUntilFull(String client) {
        Bucket bucket = buckets.get(key(client));
        return bucket == null ? 0 : bucket.secondsUntilFull(nanoClock.getAsLong());
    }

    int burst() {
        return burst;
    }

    int tracked() {
        return buckets.size();
    }

    /** The bucket key of a client: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as its /64. */
    String key(String client) {
        String address = normalise(client);
        if (buckets.containsKey(address) || buckets.size() < maxTracked) {
            return address;
        }
        long now = nanoClock.getAsLong();
        buckets.entrySet()
                .removeIf(e -> !e.getKey().equals(OVERFLOW) && e.getValue().full(now));
        return buckets.size() < maxTracked ? address : OVERFLOW;
    }

    static String normalise(String client) {
        if (client == null || client.isEmpty()) {
            return "unknown";
        }
        if (client.indexOf(':') < 0) {
            return client;
        }
        String literal =
                client.startsWith("[") && client.endsWith("]") ? client.substring(1, client.length() - 1) : client;
        int scope = literal.indexOf('%');
        if (scope >= 0) {
            literal = literal.substring(0, scope);
        }
        try {
            // A string with ':' is parsed as an IPv6 literal: no name lookup happens.
            InetAddress address = InetAddress.getByName(literal);
            if (address instanceof Inet4Address) {
                return address.getHostAddress();
            }
            byte[] bytes = address.getAddress();
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)))
                        .append(':');
            }
            return prefix.append(":/64").toString();
        } catch (UnknownHostException e) {
            return client;
        }
    }

    /** Attempts held as nanoseconds of refill (one attempt = one refill period), so that all arithmetic is exact. */
    private final class Bucket {
        private final long capacity = Math.multiplyExact(burst, refillNanos);
        private long credit;
        private long updated;

        Bucket(long now) {
            this.credit = capacity;
            this.updated = now;
        }

        synchronized long acquire(long now) {
            refill(now);
            if (credit >= refillNanos) {
                credit -= refillNanos;
                return 0;
            }
            long missing = refillNanos - credit;
            return Math.max(1, (missing + 999_999_999L) / 1_000_000_000L);
        }

        /** Answers whether the bucket is full again (and need not be kept). */
        synchronized boolean refund(long now) {
            refill(now);
            credit = Math.min(capacity, credit + refillNanos);
            return credit >= capacity;
        }

        synchronized int remaining(long now) {
            refill(now);
            return (int) (credit / refillNanos);
        }

        synchronized long secondsUntilFull(long now) {
            refill(now);
            return (capacity - credit + 999_999_999L) / 1_000_000_000L;
        }

        synchronized boolean full(long now) {
            refill(now);
            return credit >= capacity;
        }

        private void refill(long now) {
            if (now > updated) {
                credit = now - updated >= capacity ? capacity : Math.min(capacity, credit + (now - updated));
                updated = now;
            }
        }
    }
}
