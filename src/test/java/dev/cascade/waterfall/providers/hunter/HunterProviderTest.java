package dev.cascade.waterfall.providers.hunter;

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
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.cascade.events.Company;
import dev.cascade.events.Contact;
import dev.cascade.events.Prospect;
import dev.cascade.waterfall.providers.AdapterHarness;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderData.EmailCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderOutcome.Hit;
import dev.cascade.waterfall.providers.ProviderOutcome.Miss;
import dev.cascade.waterfall.providers.ProviderQuery;

/** Hunter.io against a loopback stub speaking its v2 wire format (VENDORS.md §1). */
class HunterProviderTest {
    private static final String FINDER = "/v2/email-finder";
    private static final String VERIFIER = "/v2/email-verifier";
    private static final String FOUND = """
            {"data":{"first_name":"Ada","last_name":"Ng","email":"ada@acme.com","score":94,"domain":"acme.com",
             "accept_all":false,"position":"CTO","twitter":null,"linkedin_url":"https://www.linkedin.com/in/adang",
             "phone_number":null,"company":"Acme","sources":[],
             "verification":{"date":"2025-01-10","status":"%s"}},
             "meta":{"params":{"first_name":"Ada","last_name":"Ng","domain":"acme.com"}}}
            """;
    private static final String NOT_FOUND = """
            {"data":{"first_name":"Ada","last_name":"Ng","email":null,"score":null,"domain":"acme.com",
             "accept_all":false,"position":null,"twitter":null,"linkedin_url":null,"phone_number":null,
             "company":"Acme","sources":[],"verification":{"date":null,"status":null}},
             "meta":{"params":{"first_name":"Ada","last_name":"Ng","domain":"acme.com"}}}
            """;
    private static final String VERIFIED = """
            {"data":{"status":"%s","result":"deliverable","score":70,"email":"ada@acme.com","regexp":true,
             "gibberish":false,"disposable":false,"webmail":false,"mx_records":true,"smtp_server":true,
             "smtp_check":true,"accept_all":true,"block":false,"sources":[]},
             "meta":{"params":{"email":"ada@acme.com"}}}
            """;

    private static WireMockServer hunter;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        hunter = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        hunter.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        hunter.stop();
    }

    @BeforeEach
    void reset() {
        hunter.resetAll();
    }

    private static Provider provider(String... settings) {
        String[] all = new String[settings.length + 4];
        all[0] = "base-url";
        all[1] = hunter.baseUrl() + "/v2";
        all[2] = "timeout";
        all[3] = "2s";
        System.arraycopy(settings, 0, all, 4, settings.length);
        return new HunterProviderFactory().create(harness.context("hunter", all));
    }

    private static ProviderOutcome find(Contact contact) {
        return AdapterHarness.await(provider().lookup(Capability.EMAIL, new ProviderQuery(contact, null, 0)));
    }

    private static ProviderOutcome verify(String email) {
        return AdapterHarness.await(provider().lookup(Capability.VERIFY, new ProviderQuery(null, email, 0)));
    }

    private static Contact ada() {
        return AdapterHarness.person("Ada", "Ng", "acme.com");
    }

    private static void finderAnswers(ResponseDefinitionBuilder answer) {
        hunter.stubFor(get(urlPathEqualTo(FINDER)).willReturn(answer));
    }

    private static void verifierAnswers(ResponseDefinitionBuilder answer) {
        hunter.stubFor(get(urlPathEqualTo(VERIFIER)).willReturn(answer));
    }

    private static ResponseDefinitionBuilder error(int status, String id, String details) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"id\":\"" + id + "\",\"code\":" + status + ",\"details\":\"" + details
                        + "\"}]}");
    }

    @Test
    void findsVerifiedEmailWithProfileAndCompany() {
        finderAnswers(okJson(FOUND.formatted("valid")));

        ProviderOutcome outcome = find(ada());

        assertThat(outcome)
                .isEqualTo(new Hit(ProviderData.emails(
                        List.of(new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true)),
                        new Prospect("Ada", "Ng", "Ada Ng", "CTO", "https://www.linkedin.com/in/adang", null),
                        new Company("Acme", "acme.com", null, null))));
        hunter.verify(getRequestedFor(urlPathEqualTo(FINDER))
                .withHeader("X-API-KEY", equalTo("test-key"))
                .withQueryParam("domain", equalTo("acme.com"))
                .withQueryParam("first_name", equalTo("Ada"))
                .withQueryParam("last_name", equalTo("Ng"))
                .withQueryParam("max_duration", equalTo("3"))
                .withoutQueryParam("api_key")
                .withoutQueryParam("company")
                .withoutQueryParam("linkedin_handle"));
    }

    @Test
    void acceptAllDomainGivesARiskyButVerifiedEmail() {
        finderAnswers(okJson(FOUND.formatted("accept_all")));

        ProviderOutcome outcome = find(ada());

        assertThat(((Hit) outcome).data().emails())
                .containsExactly(new EmailCandidate("ada@acme.com", EmailStatus.RISKY, true));
    }

    @ParameterizedTest
    @CsvSource({"unknown", "null"})
    void emailWithoutAVerdictIsLeftToTheVerifier(String status) {
        String body =
                "null".equals(status) ? FOUND.replace("\"status\":\"%s\"", "\"status\":null") : FOUND.formatted(status);
        finderAnswers(okJson(body));

        ProviderOutcome outcome = find(ada());

        assertThat(((Hit) outcome).data().emails()).containsExactly(new EmailCandidate("ada@acme.com", null, false));
    }

    @Test
    void noEmailFoundIsAMiss() {
        finderAnswers(okJson(NOT_FOUND));

        assertThat(find(ada())).isEqualTo(new Miss());
    }

    @Test
    void asksByCompanyNameWhenTheDomainIsUnknown() {
        finderAnswers(okJson(FOUND.formatted("valid")));

        find(new Contact(null, "Ada", "Ng", null, "Acme Inc"));

        hunter.verify(getRequestedFor(urlPathEqualTo(FINDER))
                .withQueryParam("company", equalTo("Acme Inc"))
                .withQueryParam("first_name", equalTo("Ada"))
                .withQueryParam("last_name", equalTo("Ng"))
                .withoutQueryParam("domain"));
    }

    @Test
    void asksByLinkedinHandleWhenTheNameIsUnknown() {
        finderAnswers(okJson(FOUND.formatted("valid")));

        ProviderOutcome outcome =
                find(new Contact("https://www.linkedin.com/in/AdaNg/?trk=x", null, null, "acme.com", null));

        assertThat(outcome).isInstanceOf(Hit.class);
        hunter.verify(getRequestedFor(urlPathEqualTo(FINDER))
                .withQueryParam("linkedin_handle", equalTo("adang"))
                .withoutQueryParam("first_name")
                .withoutQueryParam("domain"));
    }

    @Test
    void contactWithoutNameAndCompanyOrLinkedinIsNotAskedAbout() {
        assertThat(find(new Contact(null, "Ada", null, "acme.com", null))).isEqualTo(new Miss());
        assertThat(find(new Contact(null, "Ada", "Ng", null, null))).isEqualTo(new Miss());

        assertThat(hunter.getAllServeEvents()).isEmpty();
    }

    @Test
    void maxDurationStaysInsideTheTimeout() {
        assertThat(HunterProvider.maxDuration(Duration.ofMillis(300))).isEqualTo(3);
        assertThat(HunterProvider.maxDuration(Duration.ofSeconds(8))).isEqualTo(6);
        assertThat(HunterProvider.maxDuration(Duration.ofSeconds(12))).isEqualTo(10);
        assertThat(HunterProvider.maxDuration(Duration.ofMinutes(1))).isEqualTo(20);
    }

    @ParameterizedTest
    @CsvSource({
        "valid, RELIABLE",
        "accept_all, RISKY",
        "webmail, UNKNOWN",
        "unknown, UNKNOWN",
        "invalid, INVALID",
        "disposable, INVALID"
    })
    void verifierStatusesMapToGatewayStatuses(String hunterStatus, EmailStatus expected) {
        verifierAnswers(okJson(VERIFIED.formatted(hunterStatus)));

        ProviderOutcome outcome = verify("ada+news@acme.com");

        assertThat(outcome).isEqualTo(new Hit(ProviderData.verified(expected)));
        hunter.verify(getRequestedFor(urlPathEqualTo(VERIFIER))
                .withHeader("X-API-KEY", equalTo("test-key"))
                .withQueryParam("email", equalTo("ada+news@acme.com")));
        assertThat(hunter.getAllServeEvents().get(0).getRequest().getUrl()).contains("email=ada%2Bnews%40acme.com");
    }

    @Test
    void verificationStillRunningIsRetryable() {
        verifierAnswers(aResponse().withStatus(202).withHeader("Content-Type", "application/json"));

        ProviderOutcome outcome = verify("ada@acme.com");

        assertThat(outcome).isInstanceOfSatisfying(Failure.class, failure -> {
            assertThat(failure.retryable()).isTrue();
            assertThat(failure.providerFault()).isTrue();
        });
    }

    @Test
    void unexpectedSmtpAnswerIsRetryable() {
        verifierAnswers(okJson(VERIFIED.formatted("unknown")).withStatus(222));

        ProviderOutcome outcome = verify("ada@acme.com");

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Failure.class,
                        failure -> assertThat(failure.retryable()).isTrue());
    }

    @Test
    void syntacticallyInvalidAddressIsInvalid() {
        verifierAnswers(error(400, "invalid_email", "The email is invalid"));

        assertThat(verify("ada@@acme")).isEqualTo(new Hit(ProviderData.verified(EmailStatus.INVALID)));
    }

    @Test
    void otherBadRequestsAreRejectedForThisContactOnly() {
        finderAnswers(error(400, "invalid_domain", "The domain is invalid"));

        assertThat(find(ada())).isEqualTo(Failure.rejected("HTTP 400 invalid_domain"));
    }

    @Test
    void claimedEmailIsAMissForTheFinderAndDroppedByTheVerifier() {
        verifierAnswers(error(451, "claimed_email", "The owner asked us not to process it"));
        finderAnswers(error(451, "claimed_email", "The owner asked us not to process it"));

        // The owner opted out: the address must never be returned (VENDORS.md: "miss, don't store").
        assertThat(verify("ada@acme.com"))
                .isEqualTo(new ProviderOutcome.Hit(ProviderData.verified(EmailStatus.INVALID)));
        assertThat(find(ada())).isEqualTo(new Miss());
    }

    @Test
    void badKeyIsAPermanentFailure() {
        finderAnswers(error(401, "authentication_failed", "No user found for the API key supplied"));

        ProviderOutcome outcome = find(ada());

        assertThat(outcome).isEqualTo(Failure.permanent("HTTP 401"));
        assertThat(((Failure) outcome).reason()).doesNotContain("test-key");
    }

    @Test
    void rateLimitIsA403ThatCarriesRetryAfter() {
        finderAnswers(error(403, "too_many_requests", "You have reached the rate limit")
                .withHeader("Retry-After", "2"));

        assertThat(find(ada())).isEqualTo(Failure.throttled("HTTP 403", Duration.ofSeconds(2)));
    }

    @Test
    void rateLimitWithoutRetryAfterIsStillThrottled() {
        verifierAnswers(error(403, "too_many_requests", "You have reached the rate limit"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.throttled("HTTP 403", null));
    }

    @Test
    void exhaustedMonthlyQuotaIsPermanentAndNotRetried() {
        finderAnswers(error(429, "too_many_requests", "You have reached your monthly quota")
                .withHeader("Retry-After", "2"));

        ProviderOutcome outcome = find(ada());

        assertThat(outcome).isEqualTo(Failure.permanent("quota exhausted"));
    }

    @Test
    void serverErrorIsTransient() {
        finderAnswers(aResponse().withStatus(503));

        assertThat(find(ada())).isEqualTo(Failure.transientFault("HTTP 503"));
    }

    @Test
    void htmlInsteadOfJsonIsAMalformedResponse() {
        finderAnswers(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<html><body>Maintenance</body></html>"));

        assertThat(find(ada())).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsAMalformedResponse() {
        verifierAnswers(okJson("{\"data\":{\"status\":\"val"));

        assertThat(verify("ada@acme.com")).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void slowAnswerTimesOut() {
        finderAnswers(okJson(FOUND.formatted("valid")).withFixedDelay(1500));

        ProviderOutcome outcome = AdapterHarness.await(
                provider("timeout", "300ms").lookup(Capability.EMAIL, new ProviderQuery(ada(), null, 0)));

        assertThat(outcome).isEqualTo(Failure.transientFault("timeout"));
    }

    @Test
    void withoutAKeyTheProviderIsNotReady() {
        Provider provider = provider("api-key", "");

        assertThat(provider.notReady()).contains("no API key configured");
        assertThat(provider.capabilities()).containsExactlyInAnyOrder(Capability.EMAIL, Capability.VERIFY);
        assertThat(provider.type()).isEqualTo("hunter");
    }

    @Test
    void defaultsToHuntersPublicApi() {
        assertThat(HunterProvider.DEFAULT_BASE_URL).isEqualTo("https://api.hunter.io/v2");
    }

    @Test
    void refusesABaseUrlItCannotCall() {
        assertThatThrownBy(() -> provider("base-url", "api.hunter.io/v2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base-url");
    }
}
