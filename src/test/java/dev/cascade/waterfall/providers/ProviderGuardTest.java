package dev.cascade.waterfall.providers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.inject.Inject;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.events.Contact;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.VendorStubs;

/**
 * Each provider's guard, built from configuration, against a loopback NeverBounce: its breaker opens after its
 * threshold and half-opens after its delay, retries only what is retryable and waits as long as `Retry-After` says,
 * its bulkhead and rate limit hold, and none of it touches another provider.
 */
@QuarkusTest
class ProviderGuardTest {
    private static final String VALID =
            "{\"status\":\"success\",\"result\":\"valid\",\"flags\":[],\"execution_time\":5}";
    private static final ProviderQuery QUERY =
            new ProviderQuery(new Contact(null, "Ada", "Ng", "acme.com", null), "ada@acme.com", 0);

    @Inject
    ProviderRegistry registry;

    private WireMockServer vendors;

    @BeforeEach
    void setUp() {
        vendors = VendorStubs.server();
    }

    @AfterEach
    void resetBreakers() {
        registry.all().forEach(GuardedProvider::resetCircuit);
    }

    private ProviderOutcome call(String provider) {
        return registry.find(provider)
                .orElseThrow()
                .call(Capability.VERIFY, QUERY)
                .await()
                .atMost(Duration.ofSeconds(20));
    }

    private void answer(String prefix, int status, String body) {
        vendors.stubFor(get(urlPathEqualTo(prefix + "/single/check"))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    @Test
    void theBreakerOpensAfterItsThresholdAndHalfOpensAfterItsDelay() {
        answer("/breaker/v4", 503, "{}");
        GuardedProvider breaker = registry.find("t-breaker").orElseThrow();
        for (int i = 0; i < 4; i++) {
            assertThat(call("t-breaker")).isInstanceOf(ProviderOutcome.Failure.class);
        }
        assertThat(breaker.circuitState()).isEqualTo("open");
        int before = vendors.findAll(getRequestedFor(urlPathEqualTo("/breaker/v4/single/check")))
                .size();

        ProviderOutcome refused = call("t-breaker");

        assertThat(refused).isInstanceOf(ProviderOutcome.Failure.class);
        assertThat(((ProviderOutcome.Failure) refused).reason()).isEqualTo("circuit open");
        assertThat(GuardedProvider.kind(refused)).isEqualTo("skipped");
        assertThat(vendors.findAll(getRequestedFor(urlPathEqualTo("/breaker/v4/single/check"))))
                .hasSize(before);
        // Other providers keep their own closed breakers.
        assertThat(registry.find("t-retry").orElseThrow().circuitState()).isEqualTo("closed");

        answer("/breaker/v4", 200, VALID);
        // After the 1 s delay trial calls go through: the first leaves it half-open, the second (threshold 2) closes
        // it.
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> call("t-breaker") instanceof ProviderOutcome.Hit);
        assertThat(breaker.circuitState()).isEqualTo("half_open");
        assertThat(call("t-breaker")).isInstanceOf(ProviderOutcome.Hit.class);
        assertThat(breaker.circuitState()).isEqualTo("closed");
        assertThat(breaker.counters().circuitOpened()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void missesNeverOpenTheBreaker() {
        // NeverBounce has no "miss" for verification; an `unknown` verdict is a normal answer, like a miss elsewhere.
        answer("/breaker/v4", 200, "{\"status\":\"success\",\"result\":\"unknown\",\"flags\":[]}");
        for (int i = 0; i < 12; i++) {
            assertThat(call("t-breaker")).isInstanceOf(ProviderOutcome.Hit.class);
        }
        assertThat(registry.find("t-breaker").orElseThrow().circuitState()).isEqualTo("closed");
    }

    @Test
    void aThrottledCallIsRetriedAfterTheRetryAfterTheVendorAsked() {
        vendors.stubFor(get(urlPathEqualTo("/retry/v4/single/check"))
                .inScenario("retry-after")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("answered"));
        vendors.stubFor(get(urlPathEqualTo("/retry/v4/single/check"))
                .inScenario("retry-after")
                .whenScenarioStateIs("answered")
                .willReturn(okJson(VALID)));
        vendors.resetScenarios();

        ProviderOutcome outcome = call("t-retry");

        assertThat(outcome).isInstanceOf(ProviderOutcome.Hit.class);
        List<LoggedRequest> requests = vendors.findAll(getRequestedFor(urlPathEqualTo("/retry/v4/single/check")));
        assertThat(requests).hasSize(2);
        long waited = requests.get(1).getLoggedDate().getTime()
                - requests.get(0).getLoggedDate().getTime();
        assertThat(waited).isGreaterThanOrEqualTo(950);
    }

    @Test
    void aRetryAfterBeyondTheCapFailsAtOnceAndPermanentFailuresAreNotRetried() {
        vendors.resetRequests();
        vendors.stubFor(get(urlPathEqualTo("/retry/v4/single/check"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "60")));
        ProviderOutcome throttled = call("t-retry");
        assertThat(((ProviderOutcome.Failure) throttled).reason()).isEqualTo("HTTP 429");
        assertThat(vendors.findAll(getRequestedFor(urlPathEqualTo("/retry/v4/single/check"))))
                .hasSize(1);

        vendors.resetRequests();
        answer("/retry/v4", 401, "");
        ProviderOutcome unauthorised = call("t-retry");
        assertThat(((ProviderOutcome.Failure) unauthorised).retryable()).isFalse();
        assertThat(vendors.findAll(getRequestedFor(urlPathEqualTo("/retry/v4/single/check"))))
                .hasSize(1);

        vendors.resetRequests();
        answer("/retry/v4", 502, "");
        ProviderOutcome badGateway = call("t-retry");
        assertThat(((ProviderOutcome.Failure) badGateway).reason()).isEqualTo("HTTP 502 after 3 attempts");
        assertThat(vendors.findAll(getRequestedFor(urlPathEqualTo("/retry/v4/single/check"))))
                .hasSize(3);
    }

    @Test
    void theBulkheadBoundsConcurrentCallsAndRefusesBeyondItsQueue() {
        vendors.stubFor(get(urlPathEqualTo("/bulkhead/v4/single/check"))
                .willReturn(okJson(VALID).withFixedDelay(800)));
        GuardedProvider bulkhead = registry.find("t-bulkhead").orElseThrow();
        AtomicInteger full = new AtomicInteger();
        List<ProviderOutcome> outcomes = Uni.join()
                .all(List.of(
                        bulkhead.call(Capability.VERIFY, QUERY),
                        bulkhead.call(Capability.VERIFY, QUERY),
                        bulkhead.call(Capability.VERIFY, QUERY),
                        bulkhead.call(Capability.VERIFY, QUERY),
                        bulkhead.call(Capability.VERIFY, QUERY)))
                .andCollectFailures()
                .await()
                .atMost(Duration.ofSeconds(20));
        for (ProviderOutcome outcome : outcomes) {
            if (outcome instanceof ProviderOutcome.Failure failure) {
                assertThat(failure.reason()).isEqualTo("bulkhead full");
                full.incrementAndGet();
            }
        }
        // Two run, one waits in the queue, two are refused at once (and never reach the vendor).
        assertThat(full.get()).isEqualTo(2);
        assertThat(outcomes.stream().filter(o -> o instanceof ProviderOutcome.Hit))
                .hasSize(3);
    }

    @Test
    void theRateLimitSpacesCallsToTheVendorsQuota() {
        vendors.stubFor(get(urlPathEqualTo("/limited/v4/single/check")).willReturn(okJson(VALID)));
        for (int i = 0; i < 5; i++) {
            assertThat(call("t-limited")).isInstanceOf(ProviderOutcome.Hit.class);
        }
        List<LoggedRequest> requests = vendors.findAll(getRequestedFor(urlPathEqualTo("/limited/v4/single/check")));
        assertThat(requests).hasSize(5);
        // Two calls per one-second window: five calls need three windows, so they cannot all leave within one second;
        // the calls over the quota waited for the next window (the guard retries them) instead of exceeding it.
        long span = requests.get(4).getLoggedDate().getTime()
                - requests.get(0).getLoggedDate().getTime();
        assertThat(span).isGreaterThanOrEqualTo(950);
    }

    @Test
    void theOperatorSeesEveryProviderWithItsStateAndCanResetABreaker() {
        answer("/breaker/v4", 503, "{}");
        for (int i = 0; i < 4; i++) {
            call("t-opened");
        }
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/providers")
                .then()
                .statusCode(200)
                .body("providers.find { it.name == 't-opened' }.circuit_state", org.hamcrest.Matchers.is("open"))
                .body("providers.find { it.name == 't-opened' }.capabilities", org.hamcrest.Matchers.hasItem("verify"))
                .body("providers.find { it.name == 'sim-email-a' }.order.email", org.hamcrest.Matchers.is(1))
                .body("providers.find { it.name == 't-nokey' }.enabled", org.hamcrest.Matchers.is(false))
                .body(
                        "providers.find { it.name == 't-nokey' }.disabled_reason",
                        org.hamcrest.Matchers.is("no API key configured"))
                .body("providers.find { it.name == 't-disabled' }.enabled", org.hamcrest.Matchers.is(false));
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("cascade_provider_circuit_state{provider=\"t-opened\"} 2.0");
        assertThat(metrics)
                .contains(
                        "cascade_provider_calls_total{capability=\"verify\",outcome=\"error\",provider=\"t-opened\"}");
        assertThat(metrics).doesNotContain("t-opened-secret-key");

        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/t-opened/circuit/reset")
                .then()
                .statusCode(200)
                .body("circuit_state", org.hamcrest.Matchers.is("closed"));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/providers/nope")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .get("/api/v1/admin/providers")
                .then()
                .statusCode(401);
        String listing = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/providers")
                .then()
                .extract()
                .asString();
        assertThat(listing).doesNotContain("secret-key");
    }
}
