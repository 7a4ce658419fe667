package dev.cascade.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.config.CascadeConfig;
import dev.cascade.support.Cidr;

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
        Map<String, String> values = new HashMap<>();
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
        return new EgressPolicy(config, vertx);
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
        assertThat(check(policy, "https://localhost:8443/hook")).isEqualTo(EgressPolicy.BLOCKED);
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
        EgressPolicy policy = policy("127.0.0.0/8,::1/128,localhost", true);
        assertThat(check(policy, "http://127.0.0.1:9000/hook")).isNull();
        assertThat(check(policy, "http://[::1]:9000/hook")).isNull();
        assertThat(check(policy, "http://localhost:9000/hook")).isNull();
        assertThat(check(policy, "http://10.0.0.1/hook")).isEqualTo(EgressPolicy.BLOCKED);
        assertThat(check(policy, "http://169.254.169.254/latest/meta-data")).isEqualTo(EgressPolicy.BLOCKED);
    }

    @Test
    void anAllowedUrlComesWithTheAddressToConnectTo() {
        EgressPolicy policy = policy("127.0.0.0/8", true);
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

    private static String check(EgressPolicy policy, String url) {
        return policy.check(url, true).await().atMost(Duration.ofSeconds(10));
    }
}
