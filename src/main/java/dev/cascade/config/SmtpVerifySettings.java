package dev.cascade.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * The built-in SMTP verifier (type `smtp-verify`, keys `cascade.providers.<name>.smtp.*`): who it says it is, where
 * it resolves names, how it talks TLS, which addresses it may reach, how gently it treats mail servers and how long
 * it remembers answers.
 */
public interface SmtpVerifySettings {

    /**
     * The name sent in `EHLO`: a fully qualified name of this host whose forward (A) and reverse (PTR) records agree,
     * or receivers distrust the probe. Without it the provider is not ready.
     */
    Optional<String> heloName();

    /** The reverse path of `MAIL FROM:<…>`: an address at a domain you control. Without it the provider is not ready. */
    Optional<String> mailFrom();

    /** TCP port of the mail exchangers (25 in production; the tests use loopback ports). */
    @WithDefault("25")
    int port();

    /** Time allowed to open the TCP connection to one MX address. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Time allowed for each reply of the conversation (greeting, EHLO, STARTTLS, MAIL, RCPT). */
    @WithDefault("8s")
    Duration stepTimeout();

    /** Mail exchangers tried per lookup, best preference first, before the lookup gives up. */
    @WithDefault("2")
    int maxMx();

    /**
     * `opportunistic` (STARTTLS when offered, certificate not checked — what MTAs do, RFC 7435), `verify` (STARTTLS
     * when offered, the certificate chain must be trusted: the JVM's trust store or `tls-trust-file`) or `off`.
     */
    @WithDefault("opportunistic")
    String tls();

    /** PEM certificates trusted in `verify` mode instead of the JVM's trust store. */
    Optional<Path> tlsTrustFile();

    /** Whether IPv6 (AAAA) addresses of an MX are connected to (IPv4 is always tried first). */
    @WithDefault("false")
    boolean ipv6();

    /** Whether MX addresses on the public internet may be reached (the local profile allows only loopback ones). */
    @WithDefault("true")
    boolean allowPublic();

    /**
     * Address blocks (CIDR) an MX may resolve to although they are loopback, private or link-local (refused by
     * default). Tests and the local profile allow `127.0.0.0/8`.
     */
    Optional<List<String>> egressAllow();

    /** Whether a second `RCPT TO` with a random local part checks whether the domain accepts every address. */
    @WithDefault("true")
    boolean catchAllProbe();

    /** What the provider answers a greylisting (450/451/452) as `Retry-After`; above the retry cap: no quick retry. */
    @WithDefault("60s")
    Duration greylistRetryAfter();

    /** DNS resolution. */
    Dns dns();

    /** Pacing: how many conversations at once and how often, per domain and per MX. */
    Pacing pacing();

    /** The circuit breaker of each MX. */
    Circuit circuit();

    /** Caches of verdicts and catch-all status. */
    Cache cache();

    interface Dns {
        /** Name servers as `ip` or `ip:port`; absent: the host's resolvers (resolv.conf). */
        Optional<List<String>> servers();

        /** Time allowed for one DNS query. */
        @WithDefault("3s")
        Duration timeout();

        /** Shortest time an answer is kept, whatever its TTL. */
        @WithDefault("10s")
        Duration minTtl();

        /** Longest time an answer is kept, whatever its TTL. */
        @WithDefault("1h")
        Duration maxTtl();

        /** Longest time a "no such domain" or "no such record" answer is kept (else the SOA's minimum). */
        @WithDefault("5m")
        Duration negativeTtl();

        /** Most answers kept. */
        @WithDefault("50000")
        int cacheSize();
    }

    interface Pacing {
        /** Conversations with one domain at once. */
        @WithDefault("2")
        int perDomain();

        /** Conversations with one MX host at once. */
        @WithDefault("2")
        int perMx();

        /** Least time between two connections to one MX host. */
        @WithDefault("500ms")
        Duration mxInterval();

        /** How long a lookup waits for its turn before it gives up (`paced`); keep it under the task deadline. */
        @WithDefault("10s")
        Duration maxWait();
    }

    interface Circuit {
        /** Consecutive failures (no connection, timeout, dropped, 421) that open an MX's circuit. */
        @WithDefault("3")
        int failures();

        /** How long an open MX circuit refuses conversations before one trial goes through. */
        @WithDefault("60s")
        Duration delay();
    }

    interface Cache {
        /** How long a verdict per address is kept (0 disables). */
        @WithDefault("24h")
        Duration addressTtl();

        /** How long a domain's catch-all status is kept (0 disables). */
        @WithDefault("24h")
        Duration catchAllTtl();

        /** Most addresses and domains kept. */
        @WithDefault("100000")
        int size();
    }
}
