package dev.cascade.webhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.ScriptedReceiver;

/**
 * The egress policy against hostile DNS answers (issue 12): a name whose AAAA record is an IPv4-mapped or -compatible
 * (or NAT64) form of a blocked address is refused at submit and at an attempt, and never reached; a name the operator
 * allows is connected to at the address it resolved to; ports other than the scheme's need the operator's leave.
 */
@QuarkusTest
@TestProfile(StubDnsProfile.class)
class WebhookEgressDnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static ScriptedReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new ScriptedReceiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static String url(String host, String path) {
        return "http://" + host + ":" + receiver.port() + path;
    }

    private static long workflows(Tenant tenant) {
        return Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId());
    }

    private static void refusedAtSubmit(Tenant tenant, String url, String message) {
        given().auth()
                .oauth2(tenant.key())
                .contentType("application/json")
                .body(Map.of("webhook_url", url, "contacts", List.of(Gateway.person(1))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(422)
                .body("detail[0].loc", contains("body", "webhook_url"))
                .body("detail[0].msg", equalTo("webhook_url " + message));
    }

    private static List<String> errors(Tenant tenant, String workflowId) {
        return given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("deliveries.error");
    }

    @Test
    void refusesAtSubmitANameWhoseAaaaIsAMappedCompatibleOrNat64FormOfABlockedAddress() {
        StubDnsProfile.DNS
                .aaaa("metadata.ssrf.test", "::ffff:169.254.169.254")
                .aaaa("loopback.ssrf.test", "::ffff:127.0.0.1")
                .aaaa("compatible.ssrf.test", "::127.0.0.1")
                .aaaa("nat64.ssrf.test", "64:ff9b::a9fe:a9fe");
        Tenant tenant = Gateway.newTenant("ssrf-submit-" + UUID.randomUUID());
        long before = workflows(tenant);
        for (String host :
                List.of("metadata.ssrf.test", "loopback.ssrf.test", "compatible.ssrf.test", "nat64.ssrf.test")) {
            refusedAtSubmit(tenant, url(host, "/hook"), EgressPolicy.BLOCKED);
            refusedAtSubmit(tenant, "https://" + host + "/latest/meta-data", EgressPolicy.BLOCKED);
        }
        assertThat(workflows(tenant)).isEqualTo(before);
        assertThat(receiver.received("/hook")).isEmpty();
    }

    @Test
    void refusesAtAnAttemptWhenTheAnswerTurnsIntoMappedLoopbackAndNeverConnects() {
        Tenant tenant = Gateway.newTenant("ssrf-attempt-" + UUID.randomUUID());
        // No answer at submit: accepted, and checked again at every attempt.
        String workflowId = tenant.submit(
                Map.of("webhook_url", url("rebind.ssrf.test", "/rebind"), "contacts", List.of(Gateway.person(1))));
        await().atMost(WAIT).until(() -> errors(tenant, workflowId).contains(EgressPolicy.UNKNOWN_HOST));

        StubDnsProfile.DNS.aaaa("rebind.ssrf.test", "::ffff:127.0.0.1");
        await().atMost(WAIT).until(() -> errors(tenant, workflowId).contains("blocked by egress policy"));
        assertThat(receiver.received("/rebind")).isEmpty();
    }

    @Test
    void aHostTheOperatorAllowsByNameIsCalledAtTheAddressItResolvedTo() {
        // Only the stub server knows this name: connecting by name again would fail; the pinned address reaches it.
        StubDnsProfile.DNS.a(StubDnsProfile.PARTNER, "127.0.0.1");
        Tenant tenant = Gateway.newTenant("pinned-partner-" + UUID.randomUUID());
        String workflowId = tenant.submit(
                Map.of("webhook_url", url(StubDnsProfile.PARTNER, "/partner"), "contacts", List.of(Gateway.person(1))));
        await().atMost(WAIT).until(() -> receiver.received("/partner").size() == 1);
        assertThat(receiver.received("/partner").get(0).header("host"))
                .isEqualTo(StubDnsProfile.PARTNER + ":" + receiver.port());
        await().atMost(WAIT)
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM webhook_events WHERE workflow_id = ? AND status = 'succeeded'",
                                workflowId)
                        == 1);
    }

    @Test
    void refusesAtSubmitAPortOtherThanTheSchemesUnlessAllowed() {
        StubDnsProfile.DNS.a(StubDnsProfile.PARTNER, "127.0.0.1");
        Tenant tenant = Gateway.newTenant("ports-" + UUID.randomUUID());
        long before = workflows(tenant);
        refusedAtSubmit(
                tenant,
                "https://" + StubDnsProfile.PARTNER + ":25/hook",
                "must use port 443 (or a port the gateway allows)");
        refusedAtSubmit(
                tenant,
                "http://" + StubDnsProfile.PARTNER + ":443/hook",
                "must use port 80 (or a port the gateway allows)");
        assertThat(workflows(tenant)).isEqualTo(before);
    }
}
