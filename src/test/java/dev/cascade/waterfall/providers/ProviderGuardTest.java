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
    void missesNeverOpenTheBreakerButFailuresDo() {
        GuardedProvider missing = registry.find("t-missing").orElseThrow();
        ProviderQuery ada = new ProviderQuery(new Contact(null, "Ada", "Ng", "acme.com", null), null, 0);
        vendors.stubFor(get(urlPathEqualTo("/missing/v2/email-finder"))
                .willReturn(okJson("{\"data\":{\"email\":null,\"score\":null},\"meta\":{}}")));
        for (int i = 0; i < 12; i++) {
            assertThat(missing.call(Capability.EMAIL, ada).await().atMost(Duration.ofSeconds(10)))
                    .isInstanceOf(ProviderOutcome.Miss.class);
        }
        assertThat(missing.circuitState()).isEqualTo("closed");

        // The same volume of failures does open it: the threshold is reachable, misses just do not count.
        vendors.stubFor(get(urlPathEqualTo("/missing/v2/email-finder"))
                .willReturn(aResponse().withStatus(503)));
        for (int i = 0; i < 4; i++) {
            missing.call(Capability.EMAIL, ada).await().atMost(Duration.ofSeconds(10));
        }
        assertThat(missing.circuitState()).isEqualTo("open");
    }

    @Test
    void callsOurRateLimitHoldsBackNeverCountForTheBreaker() {
        // Rate limit 1/s without waiting, breaker over 2 calls at 100 %: two refused calls between two vendor
        // failures must not dilute the failures (were they counted as successes, the breaker would stay closed).
        answer("/paced/v4", 503, "{}");
        GuardedProvider paced = registry.find("t-paced-breaker").orElseThrow();
        ProviderOutcome first = call("t-paced-breaker");
        assertThat(((ProviderOutcome.Failure) first).reason()).isEqualTo("HTTP 503");
        assertThat(((ProviderOutcome.Failure) call("t-paced-breaker")).reason()).isEqualTo("rate limited");
        assertThat(((ProviderOutcome.Failure) call("t-paced-breaker")).reason()).isEqualTo("rate limited");
        assertThat(paced.circuitState()).isEqualTo("closed");

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "HTTP 503".equals(((ProviderOutcome.Failure) call("t-paced-breaker")).reason()));

        assertThat(paced.circuitState()).isEqualTo("open");
        assertThat(vendors.findAll(getRequestedFor(urlPathEqualTo("/paced/v4/single/check"))))
                .hasSize(2);
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
    void aBurstOverTheRateLimitWaitsForPermitsInsteadOfSkippingTheVendor() {
        vendors.stubFor(get(urlPathEqualTo("/limited/v4/single/check")).willReturn(okJson(VALID)));
        GuardedProvider limited = registry.find("t-limited").orElseThrow();

        List<ProviderOutcome> outcomes = Uni.join()
                .all(java.util.stream.IntStream.range(0, 6)
                        .mapToObj(i -> limited.call(Capability.VERIFY, QUERY))
                        .toList())
                .andCollectFailures()
                .await()
                .atMost(Duration.ofSeconds(20));

        // Every call reached the vendor (none skipped), two per one-second window: six calls span two windows.
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(ProviderOutcome.Hit.class));
        List<Long> sent = vendors.findAll(getRequestedFor(urlPathEqualTo("/limited/v4/single/check"))).stream()
                .map(request -> request.getLoggedDate().getTime())
                .sorted()
                .toList();
        assertThat(sent).hasSize(6);
        assertThat(sent.get(5) - sent.get(0)).isGreaterThanOrEqualTo(1900);
        for (int i = 2; i < sent.size(); i++) {
            // Never more than two in any rolling second.
            assertThat(sent.get(i) - sent.get(i - 2)).as("sent at %s", sent).isGreaterThanOrEqualTo(950);
        }
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
        String metrics = given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics).contains("cascade_provider_circuit_state{provider=\"t-opened\"} 2.0");
        assertThat(metrics)
                .contains(
                        "cascade_provider_calls_total{capability=\"verify\",outcome=\"error\",provider=\"t-opened\"}");
        // The bulkhead's queue is SmallRye's own gauge of the provider's bulkhead guard.
        assertThat(metrics).contains("ft_bulkhead_executionsWaiting{method=\"provider t-opened bulkhead\"}");
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
