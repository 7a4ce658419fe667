package dev.cascade.waterfall.providers.zerobounce;

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

/** ZeroBounce against a loopback stub speaking its v2 `validate` wire format (VENDORS.md §5). */
class ZeroBounceProviderTest {
    private static final String VALIDATE = "/v2/validate";
    private static final String VERDICT = """
            {"address":"ada@acme.com","status":"%s","sub_status":"%s","free_email":false,"did_you_mean":null,
             "account":"ada","domain":"acme.com","domain_age_days":"9000","smtp_provider":"google","mx_found":"true",
             "mx_record":"aspmx.l.google.com","firstname":null,"lastname":null,"gender":null,"country":null,
             "region":null,"city":null,"zipcode":null,"processed_at":"2025-01-10 10:00:00.000"}
            """;
    private static final String BAD_KEY = "{\"error\":\"Invalid API Key or your account ran out of credits\"}";

    private static WireMockServer zeroBounce;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        zeroBounce = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        zeroBounce.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        zeroBounce.stop();
    }

    @BeforeEach
    void reset() {
        zeroBounce.resetAll();
    }

    private static Provider provider(String... settings) {
        String[] all = new String[settings.length + 4];
        all[0] = "base-url";
        all[1] = zeroBounce.baseUrl() + "/v2";
        all[2] = "timeout";
        all[3] = "2s";
        System.arraycopy(settings, 0, all, 4, settings.length);
        return new ZeroBounceProviderFactory().create(harness.context("zerobounce", all));
    }

    private static ProviderOutcome verify(String email) {
        return AdapterHarness.await(provider().lookup(Capability.VERIFY, new ProviderQuery(null, email, 0)));
    }

    private static void answers(ResponseDefinitionBuilder answer) {
        zeroBounce.stubFor(get(urlPathEqualTo(VALIDATE)).willReturn(answer));
    }

    private static ResponseDefinitionBuilder verdict(String status, String subStatus) {
        return okJson(VERDICT.formatted(status, subStatus));
    }

    @ParameterizedTest
    @CsvSource({
        "valid, '', RELIABLE",
        "valid, alias_address, RELIABLE",
        "valid, accept_all, RISKY",
        "valid, role_based_accept_all, RISKY",
        "catch-all, '', RISKY",
        "unknown, mail_server_did_not_respond, UNKNOWN",
        "unknown, timeout_exceeded, UNKNOWN",
        "invalid, mailbox_not_found, INVALID",
        "spamtrap, '', INVALID",
        "abuse, '', INVALID",
        "do_not_mail, disposable, INVALID"
    })
    void statusesMapToGatewayStatuses(String status, String subStatus, EmailStatus expected) {
        answers(verdict(status, subStatus));

        assertThat(verify("ada@acme.com")).isEqualTo(new Hit(ProviderData.verified(expected)));
    }

    @Test
    void sendsKeyEmailAndBlankIpAddress() {
        answers(verdict("valid", ""));

        verify("ada+news@acme.com");

        zeroBounce.verify(getRequestedFor(urlPathEqualTo(VALIDATE))
                .withQueryParam("api_key", equalTo("test-key"))
                .withQueryParam("email", equalTo("ada+news@acme.com"))
                .withQueryParam("ip_address", equalTo(""))
                .withQueryParam("timeout", equalTo("3")));
        assertThat(zeroBounce.getAllServeEvents().get(0).getRequest().getUrl()).contains("email=ada%2Bnews%40acme.com");
    }

    @Test
    void vendorTimeoutStaysInsideOurs() {
        assertThat(ZeroBounceProvider.vendorTimeout(Duration.ofMillis(300))).isEqualTo(3);
        assertThat(ZeroBounceProvider.vendorTimeout(Duration.ofSeconds(10))).isEqualTo(9);
        assertThat(ZeroBounceProvider.vendorTimeout(Duration.ofMinutes(5))).isEqualTo(60);
    }

    @ParameterizedTest
    @CsvSource({"greylisted, greylisted", "mail_server_temporary_error, mail server temporary error"})
    void temporaryMailServerAnswersAreRetried(String subStatus, String reason) {
        answers(verdict("unknown", subStatus));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.transientFault(reason));
    }

    @Test
    void badKeyOrNoCreditsOn200IsAPermanentFailure() {
        answers(okJson(BAD_KEY));

        ProviderOutcome outcome = verify("ada@acme.com");

        assertThat(outcome).isEqualTo(Failure.permanent("invalid API key or out of credits"));
        assertThat(((Failure) outcome).reason()).doesNotContain("test-key");
    }

    @Test
    void badKeyAsA400WithAnArrayIsAPermanentFailure() {
        answers(aResponse()
                .withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":[\"Invalid API key or your account ran out of credits\"]}"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("invalid API key or out of credits"));
    }

    @Test
    void otherErrorBodiesAreRejectedForThisAddressOnly() {
        answers(okJson("{\"error\":\"Missing parameter: email\"}"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.rejected("vendor error"));
    }

    @Test
    void badRequestWithoutABodyIsRejected() {
        answers(aResponse().withStatus(400));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.rejected("HTTP 400"));
    }

    @Test
    void unauthorizedIsAPermanentFailure() {
        answers(aResponse().withStatus(401));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("HTTP 401"));
    }

    @Test
    void throttledCarriesRetryAfter() {
        answers(aResponse().withStatus(429).withHeader("Retry-After", "3"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(3)));
    }

    @Test
    void apiShieldBlockIsNotRetriedAtOnceButCountsAgainstTheProvider() {
        answers(aResponse().withStatus(403).withBody("<html>API Shield</html>"));

        ProviderOutcome outcome = verify("ada@acme.com");

        assertThat(outcome).isEqualTo(Failure.permanent("HTTP 403"));
    }

    @Test
    void apiShieldBlockWithRetryAfterIsThrottled() {
        answers(aResponse().withStatus(403).withHeader("Retry-After", "60"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.throttled("HTTP 403", Duration.ofSeconds(60)));
    }

    @ParameterizedTest
    @CsvSource({"500", "520", "524"})
    void serverErrorsAreTransient(int status) {
        answers(aResponse().withStatus(status));

        ProviderOutcome outcome = verify("ada@acme.com");

        assertThat(outcome).isInstanceOfSatisfying(Failure.class, failure -> {
            assertThat(failure.reason()).isEqualTo("HTTP " + status);
            assertThat(failure.retryable()).isTrue();
        });
    }

    @Test
    void htmlInsteadOfJsonIsAMalformedResponse() {
        answers(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<html>Bad gateway</html>"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsAMalformedResponse() {
        answers(okJson("{\"address\":\"ada@acme.com\",\"status\":\"va"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void slowAnswerTimesOut() {
        answers(verdict("valid", "").withFixedDelay(1500));

        ProviderOutcome outcome = AdapterHarness.await(
                provider("timeout", "300ms").lookup(Capability.VERIFY, new ProviderQuery(null, "ada@acme.com", 0)));

        assertThat(outcome).isEqualTo(Failure.transientFault("timeout"));
    }

    @Test
    void noAddressIsNotAskedAbout() {
        assertThat(verify(" ")).isEqualTo(new Miss());
        assertThat(zeroBounce.getAllServeEvents()).isEmpty();
    }

    @Test
    void withoutAKeyTheProviderIsNotReady() {
        Provider provider = provider("api-key", "");

        assertThat(provider.notReady()).contains("no API key configured");
        assertThat(provider.capabilities()).containsExactly(Capability.VERIFY);
        assertThat(provider.type()).isEqualTo("zerobounce");
    }

    @Test
    void refusesABaseUrlItCannotCall() {
        assertThatThrownBy(() -> provider("base-url", "ftp://api.zerobounce.net/v2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base-url");
    }
}
