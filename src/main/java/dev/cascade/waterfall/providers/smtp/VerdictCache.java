package dev.cascade.waterfall.providers.smtp;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.cascade.config.SmtpVerifySettings;
import dev.cascade.waterfall.providers.EmailStatus;

/**
 * What the verifier remembers, each with its own TTL: the verdict per address (so a second task asking about the
 * same address costs the mail server nothing) and the catch-all status per domain (a known catch-all domain is
 * `risky` without a conversation; a known non-catch-all one needs no probe). Failures are never remembered.
 */
final class VerdictCache {
    record Verdict(EmailStatus status, String detail) {}

    private final Cache<String, Verdict> addresses;
    private final Cache<String, Boolean> catchAll;

    VerdictCache(SmtpVerifySettings.Cache settings) {
        this.addresses = build(settings.addressTtl(), settings.size());
        this.catchAll = build(settings.catchAllTtl(), settings.size());
    }

    private static <V> Cache<String, V> build(Duration ttl, int size) {
        return ttl.isZero() || ttl.isNegative()
                ? null
                : Caffeine.newBuilder().maximumSize(size).expireAfterWrite(ttl).build();
    }

    Verdict verdict(String address) {
        return addresses == null ? null : addresses.getIfPresent(address);
    }

    void verdict(String address, Verdict verdict) {
        if (addresses != null) {
            addresses.put(address, verdict);
        }
    }

    /** The domain's catch-all status, or null when not known. */
    Boolean catchAll(String domain) {
        return catchAll == null ? null : catchAll.getIfPresent(domain);
    }

    void catchAll(String domain, boolean value) {
        if (catchAll != null) {
            catchAll.put(domain, value);
        }
    }
}
