package dev.cascade.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Cidr;
import dev.cascade.testing.LoopbackDns;

/** The egress matrix of §6.5: every refused block in every form, and the operator's allowlist. */
class EgressPolicyTest {
    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.closeAndAwait();
    }

    private static EgressPolicy policy(String allow, boolean allowHttp) {
        return policy(allow, allowHttp, Map.of());
    }

    private static EgressPolicy policy(String allow, boolean allowHttp, Map<String, String> more) {
        Map<String, String> values = new HashMap<>(more);
        values.put("cascade.webhooks.allow-http", Boolean.toString(allowHttp));
        if (allow != null) {
            values.put("cascade.webhooks.egress-allow", allow);
        }
        CascadeConfig config = new SmallRyeConfigBuilder()
                .withMapping(CascadeConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withDefaultValues(values)
                .build()
                .getConfigMapping(CascadeConfig.class);
        return new EgressPolicy(config, new WebhookDns(config, vertx));
    }

    @Test
    void refusesEveryNonPublicBlockInEveryForm() throws Exception {
        EgressPolicy policy = policy(null, false);
        for (String address : List.of(
                "127.0.0.1",
                "127.255.255.254",
                "0.0.0.0",
                "10.1.2.3",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "100.127.255.255",
                "192.0.2.10",
                "198.51.100.7",
                "203.0.113.9",
                "198.18.0.1",
                "224.0.0.1",
                "239.255.255.250",
                "240.0.0.1",
                "255.255.255.255",
                "::",
                "::1",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:169.254.169.254",
                "::127.0.0.1",
                "fc00::1",
                "fd12:3456::1",
                "fe80::1",
                "fec0::1",
                "ff02::1",
                "2001:db8::1",
                "64:ff9b::a9fe:a9fe",
                "2002:7f00:1::1",
                "2001:0:4136:e378::1",
                "100::1")) {
            assertThat(policy.allowed(InetAddress.getByName(address)))
                    .as(address)
                    .isFalse();
        }
    }

    @Test
    void allowsPublicAddresses() throws Exception {
        EgressPolicy policy = policy(null, false);
        for (String address : List.of(
                "93.184.216.34",
                "8.8.8.8",
                "1.1.1.1",
                "2606:4700:4700::1111",
                "100.128.0.1",
                "172.32.0.1",
                "::ffff:8.8.8.8")) {
            assertThat(policy.allowed(InetAddress.getByName(address)))
                    .as(address)
                    .isTrue();
        }
    }

    @Test
    void checksUrlsByTheirResolvedAddresses() {
        EgressPolicy policy = policy(null, false);
        assertThat(check(policy, "https://127.0.0.1/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "https://2130706433/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "https://[::ffff:a9fe:a9fe]/latest")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "https://localhost/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "https://8.8.8.8/hook")).isNull();
        assertThat(check(policy, "http://8.8.8.8/hook")).isEqualTo("must be an https URL");
        assertThat(check(policy, "https://8.8.8.8:99999/hook")).isEqualTo("has an invalid port");
        assertThat(check(policy, "https://user:pw@8.8.8.8/hook")).isEqualTo("must not carry credentials");
    }

    @Test
    void anUnresolvableHostPassesAtSubmitButNotAtAnAttempt() {
        EgressPolicy policy = policy(null, false);
        String url = "https://no-such-host.invalid/hook";
        assertThat(policy.check(url, false).await().atMost(Duration.ofSeconds(10)))
                .isNull();
        assertThat(policy.check(url, true).await().atMost(Duration.ofSeconds(10)))
                .isEqualTo("unknown host");
    }

    @Test
    void theOperatorAllowlistLetsLoopbackThrough() {
        EgressPolicy policy =
                policy("127.0.0.0/8,::1/128,localhost", true, Map.of("cascade.webhooks.allowed-ports", "9000"));
        assertThat(check(policy, "http://127.0.0.1:9000/hook")).isNull();
        assertThat(check(policy, "http://[::1]:9000/hook")).isNull();
        assertThat(check(policy, "http://localhost:9000/hook")).isNull();
        assertThat(check(policy, "http://10.0.0.1/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "http://169.254.169.254/latest/meta-data")).isEqualTo(EgressPolicy.BLOCKED);
    }

    @Test
    void anAllowedUrlComesWithTheAddressToConnectTo() {
        EgressPolicy policy = policy("127.0.0.0/8", true, Map.of("cascade.webhooks.allowed-ports", "8443,9000"));
        assertThat(policy.decide("https://8.8.8.8:8443/hook", true)
                        .await()
                        .atMost(Duration.ofSeconds(10))
                        .address())
                .hasToString("/8.8.8.8");
        assertThat(policy.decide("http://localhost:9000/", true)
                        .await()
                        .atMost(Duration.ofSeconds(10))
                        .address())
                .isEqualTo(InetAddress.getLoopbackAddress());
        assertThat(check(policy, "http://[fe80::1%25eth0]:9000/")).isNotNull();
        assertThat(check(policy, "https://[::ffff:0:7f00:1]/")).isEqualTo(EgressPolicy.BLOCKED);
    }

    @Test
    void theAllowlistTakesOnlyIpLiteralsAsBlocksAndRefusesBadOnesAtOnce() {
        assertThat(Cidr.isIpLiteral("cafe.de")).isFalse();
        assertThat(Cidr.isIpLiteral("dead.beef")).isFalse();
        assertThat(Cidr.isIpLiteral("10.0.0.0/8")).isTrue();
        assertThat(Cidr.isIpLiteral("fc00::/7")).isTrue();
        EgressPolicy hosts = policy("cafe.de", false);
        assertThat(check(hosts, "https://10.0.0.1/")).isEqualTo(EgressPolicy.BLOCKED);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy("10.0.0.0/33", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** An address as a name service hands it over: 16 bytes kept as IPv6, where InetAddress.getByName would unwrap. */
    private static InetAddress asIpv6(String text) throws Exception {
        byte[] bytes = new byte[16];
        InetAddress parsed = InetAddress.getByName(text);
        byte[] raw = parsed.getAddress();
        if (raw.length == 4) {
            bytes[10] = (byte) 0xff;
            bytes[11] = (byte) 0xff;
            System.arraycopy(raw, 0, bytes, 12, 4);
        } else {
            bytes = raw;
        }
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    @Test
    void refusesMappedCompatibleAndNat64FormsOfBlockedIpv4KeptAsIpv6() throws Exception {
        EgressPolicy policy = policy(null, false);
        for (String address : List.of(
                "::ffff:169.254.169.254",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:192.168.1.1",
                "::ffff:0.0.0.0",
                "::127.0.0.1",
                "::169.254.169.254",
                "::10.0.0.1",
                "64:ff9b::a9fe:a9fe",
                "64:ff9b::7f00:1")) {
            InetAddress v6 = asIpv6(address);
            assertThat(v6).as(address).isInstanceOf(Inet6Address.class);
            assertThat(policy.allowed(v6)).as(address).isFalse();
        }
        InetAddress mappedPublic = asIpv6("::ffff:8.8.8.8");
        assertThat(policy.allowed(mappedPublic)).isTrue();
        assertThat(Cidr.NOT_PUBLIC.stream().anyMatch(b -> b.contains(mappedPublic)))
                .as("an address nobody normalised is refused by the shared blocks, never let through")
                .isTrue();
    }

    @Test
    void anOperatorAllowingNat64StillRefusesTheBlockedIpv4BehindIt() throws Exception {
        EgressPolicy policy = policy("64:ff9b::/96", false);
        assertThat(policy.allowed(asIpv6("64:ff9b::808:808"))).isTrue();
        assertThat(policy.allowed(asIpv6("64:ff9b::a9fe:a9fe"))).isFalse();
        assertThat(policy.allowed(asIpv6("64:ff9b::a00:1"))).isFalse();
    }

    @Test
    void mappedAndCompatibleAddressesAreJudgedAndPinnedAsTheirIpv4() throws Exception {
        assertThat(Cidr.canonical(asIpv6("::ffff:169.254.169.254")))
                .isEqualTo(InetAddress.getByName("169.254.169.254"));
        assertThat(Cidr.canonical(asIpv6("::127.0.0.1"))).isInstanceOf(Inet4Address.class);
        assertThat(Cidr.canonical(asIpv6("::1"))).isInstanceOf(Inet6Address.class);
        assertThat(Cidr.canonical(asIpv6("::"))).isInstanceOf(Inet6Address.class);
        assertThat(Cidr.canonical(asIpv6("2606:4700:4700::1111"))).isEqualTo(asIpv6("2606:4700:4700::1111"));
        // The operator's loopback block covers the mapped form of loopback, as it is the same host, and a block the
        // operator writes in mapped form covers the IPv4 addresses it names.
        assertThat(policy("127.0.0.0/8", false).allowed(asIpv6("::ffff:127.0.0.1")))
                .isTrue();
        EgressPolicy mappedBlock = policy("::ffff:10.0.0.0/104", false);
        assertThat(mappedBlock.allowed(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(mappedBlock.allowed(asIpv6("::ffff:10.1.2.3"))).isTrue();
        assertThat(mappedBlock.allowed(InetAddress.getByName("192.168.0.1"))).isFalse();
    }

    @Test
    void decisionsThroughAStubDnsRefuseMappedAnswersAndPinTheIpv4Address() {
        try (LoopbackDns dns = new LoopbackDns()) {
            dns.aaaa("metadata.evil.test", "::ffff:169.254.169.254")
                    .aaaa("loopback.evil.test", "::ffff:127.0.0.1")
                    .aaaa("compat.evil.test", "::127.0.0.1")
                    .aaaa("nat64.evil.test", "64:ff9b::a9fe:a9fe")
                    .a("mixed.evil.test", "8.8.8.8")
                    .aaaa("mixed.evil.test", "::ffff:10.0.0.1")
                    .aaaa("public.test", "::ffff:8.8.8.8")
                    .a("partner.test", "10.1.2.3");
            EgressPolicy policy =
                    policy("partner.test", false, Map.of("cascade.webhooks.dns-servers", "127.0.0.1:" + dns.port()));
            for (String host : List.of(
                    "metadata.evil.test",
                    "loopback.evil.test",
                    "compat.evil.test",
                    "nat64.evil.test",
                    "mixed.evil.test")) {
                assertThat(check(policy, "https://" + host + "/hook")).as(host).isEqualTo(EgressPolicy.BLOCKED);
                assertThat(policy.check("https://" + host + "/hook", false)
                                .await()
                                .atMost(Duration.ofSeconds(10)))
                        .as(host)
                        .isEqualTo(EgressPolicy.BLOCKED);
            }
            EgressPolicy.Decision pub = decide(policy, "https://public.test/hook");
            assertThat(pub.refusal()).isNull();
            assertThat(pub.address()).isInstanceOf(Inet4Address.class).hasToString("/8.8.8.8");
            // A host the operator allows by name is pinned to the address it resolved to, not connected by name.
            EgressPolicy.Decision partner = decide(policy, "https://partner.test/hook");
            assertThat(partner.refusal()).isNull();
            assertThat(partner.address()).hasToString("/10.1.2.3");
            assertThat(check(policy, "https://nowhere.test/hook")).isEqualTo(EgressPolicy.UNKNOWN_HOST);
        }
    }

    @Test
    void aDecisionThroughTheResolverArrivesOnTheCallersVertxContext() throws Exception {
        try (LoopbackDns dns = new LoopbackDns()) {
            dns.a("public.test", "8.8.8.8").silent("silent.test");
            EgressPolicy policy =
                    policy(null, false, Map.of("cascade.webhooks.dns-servers", "127.0.0.1:" + dns.port()));
            io.vertx.core.Context context = vertx.getDelegate().getOrCreateContext();
            for (String url : List.of("https://public.test/", "https://silent.test/")) {
                CompletableFuture<Boolean> onContext = new CompletableFuture<>();
                context.runOnContext(ignored -> policy.decide(url, true)
                        .subscribe()
                        .with(
                                decision -> onContext.complete(io.vertx.core.Vertx.currentContext() == context),
                                onContext::completeExceptionally));
                assertThat(onContext.get(10, TimeUnit.SECONDS)).as(url).isTrue();
            }
        }
    }

    @Test
    void onlyTheSchemesPortUnlessTheOperatorAllowsAnother() {
        EgressPolicy strict = policy(null, true);
        assertThat(strict.refusal("https://8.8.8.8/hook")).isNull();
        assertThat(strict.refusal("https://8.8.8.8:443/hook")).isNull();
        assertThat(strict.refusal("http://8.8.8.8:80/hook")).isNull();
        assertThat(strict.refusal("https://8.8.8.8:80/hook")).startsWith("must use port 443");
        assertThat(strict.refusal("https://8.8.8.8:8443/hook")).startsWith("must use port 443");
        assertThat(strict.refusal("http://8.8.8.8:443/hook")).startsWith("must use port 80");
        assertThat(strict.refusal("https://8.8.8.8:25/hook")).startsWith("must use port 443");
        assertThat(check(strict, "https://8.8.8.8:6379/hook")).startsWith("must use port 443");

        EgressPolicy some = policy(null, false, Map.of("cascade.webhooks.allowed-ports", "8443, 9000-9009"));
        assertThat(some.refusal("https://8.8.8.8:8443/hook")).isNull();
        assertThat(some.refusal("https://8.8.8.8:9000/hook")).isNull();
        assertThat(some.refusal("https://8.8.8.8:9009/hook")).isNull();
        assertThat(some.refusal("https://8.8.8.8:9010/hook")).isNotNull();
        for (String bad : List.of("0", "65536", "9009-9000", "http", "80-")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> policy(null, false, Map.of("cascade.webhooks.allowed-ports", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void numericHostsAreAddressesNeverNames() {
        EgressPolicy policy = policy(null, false);
        assertThat(check(policy, "https://2130706433/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "https://010.0.0.1/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "https://4294967296/hook")).isEqualTo("must name a valid host");
        assertThat(check(policy, "https://127.1/hook")).isNotNull();
        assertThat(check(policy, "https://1.2.3.4.5/hook")).isNotNull();
        assertThat(decide(policy, "https://134744072/hook").address()).hasToString("/8.8.8.8");
    }

    @Test
    void badNameServerEntriesRefuseStartUp() {
        for (String bad : List.of("dns.example.com", "10.0.0.2:99999", "[fd00::53]x", "10.0.0.0/8")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> policy(null, false, Map.of("cascade.webhooks.dns-servers", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static EgressPolicy.Decision decide(EgressPolicy policy, String url) {
        return policy.decide(url, true).await().atMost(Duration.ofSeconds(10));
    }

    private static String check(EgressPolicy policy, String url) {
        return policy.check(url, true).await().atMost(Duration.ofSeconds(10));
    }
}
