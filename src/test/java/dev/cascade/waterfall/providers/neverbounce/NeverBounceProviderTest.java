package dev.cascade.waterfall.providers.neverbounce;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.cascade.waterfall.providers.AdapterHarness;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderOutcome.Hit;
import dev.cascade.waterfall.providers.ProviderOutcome.Miss;
import dev.cascade.waterfall.providers.ProviderQuery;

/** NeverBounce against a loopback stub speaking its v4 `single/check` wire format (VENDORS.md §6). */
class NeverBounceProviderTest {
    private static final String CHECK = "/v4/single/check";
    private static final String VERDICT = """
            {"status":"success","result":"%s","flags":["has_dns","has_dns_mx"],"suggested_correction":"",
             "retry_token":"","execution_time":420}
            """;

    private static WireMockServer neverBounce;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        neverBounce = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        neverBounce.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        neverBounce.stop();
    }

    @BeforeEach
    void reset() {
        neverBounce.resetAll();
    }

    private static Provider provider(String... settings) {
        String[] all = new String[settings.length + 4];
        all[0] = "base-url";
        all[1] = neverBounce.baseUrl() + "/v4";
        all[2] = "timeout";
        all[3] = "2s";
        System.arraycopy(settings, 0, all, 4, settings.length);
        return new NeverBounceProviderFactory().create(harness.context("neverbounce", all));
    }

    private static ProviderOutcome verify(String email) {
        return AdapterHarness.await(provider().lookup(Capability.VERIFY, new ProviderQuery(null, email, 0)));
    }

    private static void answers(ResponseDefinitionBuilder answer) {
        neverBounce.stubFor(get(urlPathEqualTo(CHECK)).willReturn(answer));
    }

    private static ResponseDefinitionBuilder apiError(String status, String message) {
        return okJson("{\"status\":\"" + status + "\",\"message\":\"" + message + "\",\"execution_time\":3}");
    }

    @ParameterizedTest
    @CsvSource({"valid, RELIABLE", "catchall, RISKY", "unknown, UNKNOWN", "invalid, INVALID", "disposable, INVALID"})
    void resultsMapToGatewayStatuses(String result, EmailStatus expected) {
        answers(okJson(VERDICT.formatted(result)));

        assertThat(verify("ada@acme.com")).isEqualTo(new Hit(ProviderData.verified(expected)));
    }

    @Test
    void sendsKeyAndEmailWithPlusEncoded() {
        answers(okJson(VERDICT.formatted("valid")));

        verify("ada+news@acme.com");

        neverBounce.verify(getRequestedFor(urlPathEqualTo(CHECK))
                .withQueryParam("key", equalTo("test-key"))
                .withQueryParam("email", equalTo("ada+news@acme.com"))
                .withQueryParam("timeout", equalTo("1")));
        assertThat(neverBounce.getAllServeEvents().get(0).getRequest().getUrl())
                .contains("email=ada%2Bnews%40acme.com")
                .doesNotContain("ada+news");
    }

    @Test
    void vendorTimeoutStaysInsideOurs() {
        assertThat(NeverBounceProvider.vendorTimeout(Duration.ofMillis(300))).isEqualTo(1);
        assertThat(NeverBounceProvider.vendorTimeout(Duration.ofSeconds(10))).isEqualTo(9);
    }

    @Test
    void authFailureOn200IsAPermanentFailure() {
        answers(apiError("auth_failure", "Invalid API key 'test-key'"));

        ProviderOutcome outcome = verify("ada@acme.com");

        assertThat(outcome).isEqualTo(Failure.permanent("auth failure"));
        assertThat(((Failure) outcome).reason()).doesNotContain("test-key");
    }

    @Test
    void badReferrerIsAPermanentFailure() {
        answers(apiError("bad_referrer", "Referrer not allowed"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("bad referrer"));
    }

    @Test
    void throttleTriggeredOn200IsThrottled() {
        answers(apiError("throttle_triggered", "Too many requests in a short amount of time"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.throttled("throttled", null));
    }

    @Test
    void throttleTriggeredCarriesRetryAfterWhenGiven() {
        answers(apiError("throttle_triggered", "Too many requests").withHeader("Retry-After", "4"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.throttled("throttled", Duration.ofSeconds(4)));
    }

    @Test
    void http429CarriesRetryAfter() {
        answers(aResponse().withStatus(429).withHeader("Retry-After", "2"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(2)));
    }

    @Test
    void temporarilyUnavailableIsTransient() {
        answers(apiError("temp_unavail", "Service is temporarily unavailable"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.transientFault("temporarily unavailable"));
    }

    @Test
    void generalFailureIsTransient() {
        answers(apiError("general_failure", "Something went wrong"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.transientFault("general failure"));
    }

    @Test
    void generalFailureAboutCreditsIsPermanent() {
        answers(apiError("general_failure", "Insufficient credit balance"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("out of credits"));
    }

    @Test
    void unauthorizedHttpStatusIsPermanent() {
        answers(aResponse().withStatus(401));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("HTTP 401"));
    }

    @Test
    void serverErrorIsTransient() {
        answers(aResponse().withStatus(502));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.transientFault("HTTP 502"));
    }

    @Test
    void htmlInsteadOfJsonIsAMalformedResponse() {
        answers(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<html>Maintenance</html>"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsAMalformedResponse() {
        answers(okJson("{\"status\":\"success\",\"result\":\"val"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void successWithoutAResultIsAMalformedResponse() {
        answers(okJson("{\"status\":\"success\",\"execution_time\":10}"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void slowAnswerTimesOut() {
        answers(okJson(VERDICT.formatted("valid")).withFixedDelay(1500));

        ProviderOutcome outcome = AdapterHarness.await(
                provider("timeout", "300ms").lookup(Capability.VERIFY, new ProviderQuery(null, "ada@acme.com", 0)));

        assertThat(outcome).isEqualTo(Failure.transientFault("timeout"));
    }

    @Test
    void noAddressIsNotAskedAbout() {
        assertThat(verify(null)).isEqualTo(new Miss());
        assertThat(neverBounce.getAllServeEvents()).isEmpty();
    }

    @Test
    void withoutAKeyTheProviderIsNotReady() {
        Provider provider = provider("api-key", "");

        assertThat(provider.notReady()).contains("no API key configured");
        assertThat(provider.capabilities()).containsExactly(Capability.VERIFY);
        assertThat(provider.type()).isEqualTo("neverbounce");
    }

    @Test
    void refusesABaseUrlItCannotCall() {
        assertThatThrownBy(() -> provider("base-url", "/v4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base-url");
    }
}
