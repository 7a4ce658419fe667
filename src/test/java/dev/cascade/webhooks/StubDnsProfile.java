package dev.cascade.webhooks;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.cascade.testing.LoopbackDns;

/**
 * Webhook hosts resolved through a loopback DNS server the test writes the answers of, with nothing allowed but the
 * one host name {@link #PARTNER} (so loopback is refused like any internal address), receivers' high ports allowed,
 * and the scaled schedule of {@link ScaledScheduleProfile}.
 */
public class StubDnsProfile implements QuarkusTestProfile {
    static final String PARTNER = "partner.cascade.test";
    /** One server for the run: a test profile restarts Quarkus, the zone outlives it. */
    static final LoopbackDns DNS = new LoopbackDns();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "cascade.webhooks.dns-servers", "127.0.0.1:" + DNS.port(),
                "cascade.webhooks.egress-allow", PARTNER,
                "cascade.webhooks.allowed-ports", "1024-65535",
                "cascade.webhooks.schedule", "0s,100ms,200ms,400ms,800ms,1600ms,3s,3s",
                "cascade.webhooks.poll-interval", "1s");
    }
}
