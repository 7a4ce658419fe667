package dev.cascade.waterfall.providers.prospeo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
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

import dev.cascade.events.Company;
import dev.cascade.events.Contact;
import dev.cascade.events.Prospect;
import dev.cascade.waterfall.providers.AdapterHarness;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderData.EmailCandidate;
import dev.cascade.waterfall.providers.ProviderData.PhoneCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderOutcome.Hit;
import dev.cascade.waterfall.providers.ProviderOutcome.Miss;
import dev.cascade.waterfall.providers.ProviderQuery;

/** Prospeo against a loopback stub speaking its Enrich Person wire format (VENDORS.md §2). */
class ProspeoProviderTest {
    private static final String PATH = "/enrich-person";
    private static final String KEY = "test-key";

    /** VENDORS.md §2a's example, with a location; %s: the email object, %s: the mobile object. */
    private static final String ENRICHED = """
            {"error":false,"free_enrichment":false,
             "person":{"person_id":"aaaa01","first_name":"Ada","last_name":"Ng","full_name":"Ada Ng",
              "linkedin_url":"https://www.linkedin.com/in/adang","current_job_title":"CTO","headline":null,
              "location":{"country":"United States","country_code":"US","state":"California","city":"San Francisco",
               "time_zone":"America/Los_Angeles"},
              "email":%s,
              "mobile":%s},
             "company":{"company_id":"cccc01","name":"Acme","website":"https://acme.com","domain":"acme.com"}}
            """;

    private static final String VERIFIED_EMAIL = """
            {"status":"VERIFIED","revealed":true,"email":"ada@acme.com","verification_method":"SMTP","email_mx_provider":"Google"}""";
    private static final String VERIFIED_MOBILE = """
            {"status":"VERIFIED","revealed":true,"mobile":"+14155550100","mobile_international":"+1 415-555-0100","mobile_national":"(415) 555-0100","mobile_country":"United States","mobile_country_code":"US"}""";
    private static final String MASKED_MOBILE = """
            {"status":"VERIFIED","revealed":false,"mobile":"+1415*******","mobile_country_code":"US"}""";

    private static WireMockServer prospeo;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        prospeo = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        prospeo.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        prospeo.stop();
    }

    @BeforeEach
    void reset() {
        prospeo.resetAll();
    }

    private static Provider provider(String... settings) {
        String[] all = new String[settings.length + 4];
        all[0] = "base-url";
        all[1] = prospeo.baseUrl() + "/";
        all[2] = "timeout";
        all[3] = "2s";
        System.arraycopy(settings, 0, all, 4, settings.length);
        return new ProspeoProviderFactory().create(harness.context("prospeo", all));
    }

    private static ProviderOutcome ask(Capability capability, Contact contact) {
        return AdapterHarness.await(provider().lookup(capability, new ProviderQuery(contact, null, 0)));
    }

    private static ProviderOutcome findEmail() {
        return ask(Capability.EMAIL, ada());
    }

    private static ProviderOutcome findPhone() {
        return ask(Capability.PHONE, ada());
    }

    private static Contact ada() {
        return AdapterHarness.person("Ada", "Ng", "acme.com");
    }

    private static void answers(ResponseDefinitionBuilder answer) {
        prospeo.stubFor(post(urlEqualTo(PATH)).willReturn(answer));
    }

    private static void answersPerson(String email, String mobile) {
        answers(okJson(ENRICHED.formatted(email, mobile)));
    }

    private static ResponseDefinitionBuilder error(int status, String code) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":true,\"error_code\":\"" + code + "\"}");
    }

    private static void assertSentOnce(String body) {
        prospeo.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("X-KEY", equalTo(KEY))
                        .withHeader("Content-Type", containing("application/json"))
                        .withRequestBody(equalToJson(body)));
    }

    // ---- hits ----------------------------------------------------------------------------------------------

    @Test
    void findsVerifiedEmailWithProfileAndCompany() {
        answersPerson(VERIFIED_EMAIL, "null");

        ProviderOutcome outcome = findEmail();

        assertThat(outcome).isInstanceOf(Hit.class);
        ProviderData data = ((Hit) outcome).data();
        assertThat(data.emails()).containsExactly(new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true));
        assertThat(data.phones()).isEmpty();
        assertThat(data.prospect())
                .isEqualTo(new Prospect(
                        "Ada",
                        "Ng",
                        "Ada Ng",
                        "CTO",
                        "https://www.linkedin.com/in/adang",
                        "San Francisco, United States"));
        assertThat(data.company()).isEqualTo(new Company("Acme", "acme.com", null, null));
        assertSentOnce("""
                {"only_verified_email":false,"enrich_mobile":false,
                 "data":{"first_name":"Ada","last_name":"Ng","company_website":"acme.com"}}""");
    }

    @Test
    void sendsOnlyTheDatapointsTheContactHas() {
        answersPerson(VERIFIED_EMAIL, "null");
        Contact contact = new Contact("https://www.linkedin.com/in/adang", null, "Ng", null, "Acme Inc");

        assertThat(ask(Capability.EMAIL, contact)).isInstanceOf(Hit.class);

        assertSentOnce("""
                {"only_verified_email":false,"enrich_mobile":false,
                 "data":{"last_name":"Ng","company_name":"Acme Inc","linkedin_url":"https://www.linkedin.com/in/adang"}}""");
    }

    @Test
    void sendsTheCompanyNameWhenThereIsNoDomain() {
        answersPerson(VERIFIED_EMAIL, "null");

        assertThat(ask(Capability.EMAIL, new Contact(null, "Ada", "Ng", null, "Acme")))
                .isInstanceOf(Hit.class);

        assertSentOnce("""
                {"only_verified_email":false,"enrich_mobile":false,
                 "data":{"first_name":"Ada","last_name":"Ng","company_name":"Acme"}}""");
    }

    @Test
    void findsVerifiedMobileAndAsksForItOnlyForPhones() {
        answersPerson(VERIFIED_EMAIL, VERIFIED_MOBILE);

        ProviderOutcome outcome = findPhone();

        assertThat(outcome).isInstanceOf(Hit.class);
        ProviderData data = ((Hit) outcome).data();
        assertThat(data.phones()).containsExactly(new PhoneCandidate("+14155550100", "mobile", "US"));
        assertThat(data.emails()).isEmpty();
        assertThat(data.prospect().fullName()).isEqualTo("Ada Ng");
        assertSentOnce("""
                {"only_verified_email":false,"enrich_mobile":true,
                 "data":{"first_name":"Ada","last_name":"Ng","company_website":"acme.com"}}""");
    }

    @Test
    void usesTheInternationalFormWhenTheMobileLacksACountryCode() {
        answersPerson("null", """
                {"status":"VERIFIED","revealed":true,"mobile":"4155550100","mobile_international":"+14155550100",
                 "mobile_country_code":"+1"}""");

        ProviderOutcome outcome = findPhone();

        // "+1" is a dialling code, not an ISO region: no region hint rather than a wrong one.
        assertThat(((Hit) outcome).data().phones()).containsExactly(new PhoneCandidate("+14155550100", "mobile", null));
    }

    @Test
    void emailWithAnotherStatusIsACandidateForOurVerifier() {
        answersPerson("""
                {"status":"CATCH_ALL","revealed":true,"email":"ada@acme.com"}""", "null");

        ProviderOutcome outcome = findEmail();

        assertThat(((Hit) outcome).data().emails()).containsExactly(new EmailCandidate("ada@acme.com", null, false));
    }

    @Test
    void personWithoutCurrentCompanyHasNoCompany() {
        answers(okJson("""
                {"error":false,"free_enrichment":true,"person":{"first_name":"Ada","last_name":"Ng",
                 "email":{"status":"VERIFIED","revealed":true,"email":"ada@acme.com"}},"company":null}"""));

        ProviderData data = ((Hit) findEmail()).data();

        assertThat(data.company()).isNull();
        assertThat(data.prospect()).isEqualTo(new Prospect("Ada", "Ng", null, null, null, null));
    }

    // ---- misses ----------------------------------------------------------------------------------------------

    @Test
    void noMatchIsAMiss() {
        answers(error(400, "NO_MATCH"));

        assertThat(findEmail()).isEqualTo(new Miss());
        assertThat(findPhone()).isEqualTo(new Miss());
    }

    @Test
    void unavailableEmailIsAMiss() {
        answersPerson("""
                {"status":"UNAVAILABLE","revealed":false,"email":null}""", "null");

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void maskedEmailIsAMiss() {
        answersPerson("""
                {"status":"VERIFIED","revealed":false,"email":"ada.*****@acme.com"}""", "null");

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void asteriskMaskedEmailIsAMissEvenWithoutTheRevealedFlag() {
        answersPerson("""
                {"status":"VERIFIED","email":"a**@acme.com"}""", "null");

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void unrevealedMobileIsAMiss() {
        answersPerson(VERIFIED_EMAIL, MASKED_MOBILE);

        assertThat(findPhone()).isEqualTo(new Miss());
    }

    @Test
    void mobileWithoutVerifiedStatusIsAMiss() {
        answersPerson(VERIFIED_EMAIL, """
                {"status":"UNAVAILABLE","revealed":true,"mobile":null}""");

        assertThat(findPhone()).isEqualTo(new Miss());
    }

    @Test
    void emailAskedButOnlyAMobileKnownIsAMiss() {
        answersPerson("null", VERIFIED_MOBILE);

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void contactBelowTheMinimumIsAMissWithoutACall() {
        answersPerson(VERIFIED_EMAIL, "null");

        assertThat(ask(Capability.EMAIL, new Contact(null, "Ada", "Ng", null, null)))
                .isEqualTo(new Miss());
        assertThat(ask(Capability.PHONE, new Contact(null, "Ada", null, "acme.com", null)))
                .isEqualTo(new Miss());
        prospeo.verify(0, anyRequestedFor(anyUrl()));
    }

    // ---- failures --------------------------------------------------------------------------------------------

    @Test
    void invalidDatapointsIsRejectedForThisRequestOnly() {
        answers(error(400, "INVALID_DATAPOINTS"));

        assertThat(findEmail()).isEqualTo(Failure.rejected("HTTP 400 INVALID_DATAPOINTS"));
    }

    @Test
    void invalidRequestIsRejectedForThisRequestOnly() {
        answers(error(400, "INVALID_REQUEST"));

        Failure failure = (Failure) findEmail();
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.providerFault()).isFalse();
    }

    @Test
    void insufficientCreditsIsAPermanentFailure() {
        answers(error(400, "INSUFFICIENT_CREDITS"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("credits exhausted"));
    }

    @Test
    void internalErrorIsRetryableDespiteItsStatus400() {
        answers(error(400, "INTERNAL_ERROR"));

        assertThat(findEmail()).isEqualTo(Failure.transientFault("HTTP 400 INTERNAL_ERROR"));
    }

    @Test
    void badKeyIsAPermanentFailure() {
        answers(error(401, "INVALID_API_KEY"));

        ProviderOutcome outcome = findEmail();

        assertThat(outcome).isEqualTo(Failure.permanent("HTTP 401"));
        assertThat(((Failure) outcome).reason()).doesNotContain(KEY);
    }

    @Test
    void rateLimitedCarriesRetryAfter() {
        answers(error(429, "RATE_LIMITED").withHeader("Retry-After", "7"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(7)));
    }

    @Test
    void rateLimitedWithoutRetryAfterWaitsForTheMinuteWindow() {
        answers(error(429, "RATE_LIMITED")
                .withHeader("x-minute-request-left", "0")
                .withHeader("x-minute-reset-seconds", "42")
                .withHeader("x-daily-request-left", "1700"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(42)));
    }

    @Test
    void rateLimitedOnThePerSecondWindowWaitsOneSecond() {
        answers(error(429, "RATE_LIMITED")
                .withHeader("x-second-rate-limit", "30")
                .withHeader("x-minute-request-left", "1500")
                .withHeader("x-minute-reset-seconds", "42"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(1)));
    }

    @Test
    void rateLimitedOnTheDailyQuotaWaitsForItsReset() {
        // Far beyond the guard's Retry-After cap: the call fails at once instead of being retried.
        answers(error(429, "RATE_LIMITED")
                .withHeader("x-daily-request-left", "0")
                .withHeader("x-daily-reset-seconds", "3600")
                .withHeader("x-minute-request-left", "0")
                .withHeader("x-minute-reset-seconds", "5"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", Duration.ofHours(1)));
    }

    @Test
    void rateLimitedWithoutHintsIsThrottledWithoutAWait() {
        answers(error(429, "RATE_LIMITED"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", null));
    }

    @Test
    void serverErrorIsTransient() {
        answers(aResponse().withStatus(503).withBody("upstream unavailable"));

        ProviderOutcome outcome = findEmail();

        assertThat(outcome).isEqualTo(Failure.transientFault("HTTP 503"));
    }

    @Test
    void htmlOn200IsAMalformedResponse() {
        answers(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<html><body>Maintenance</body></html>"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsAMalformedResponse() {
        answers(okJson("{\"error\":false,\"person\":{\"email\":{\"status\":\"VERI"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void errorEnvelopeOn200IsReadByItsCode() {
        answers(okJson("{\"error\":true,\"error_code\":\"NO_MATCH\"}"));

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void slowAnswerTimesOut() {
        answers(okJson(ENRICHED.formatted(VERIFIED_EMAIL, "null")).withFixedDelay(1500));
        Provider provider = provider("timeout", "300ms");

        ProviderOutcome outcome =
                AdapterHarness.await(provider.lookup(Capability.EMAIL, new ProviderQuery(ada(), null, 0)));

        assertThat(outcome).isEqualTo(Failure.transientFault("timeout"));
    }

    // ---- wiring ----------------------------------------------------------------------------------------------

    @Test
    void describesItself() {
        Provider provider = provider("cost", "1");

        assertThat(provider.type()).isEqualTo("prospeo");
        assertThat(provider.name()).isEqualTo("prospeo");
        assertThat(provider.capabilities()).containsExactlyInAnyOrder(Capability.EMAIL, Capability.PHONE);
        assertThat(provider.notReady()).isEmpty();
        assertThat(new ProspeoProviderFactory().type()).isEqualTo("prospeo");
    }

    @Test
    void isNotReadyWithoutAnApiKey() {
        Provider provider = new ProspeoProviderFactory().create(harness.context("prospeo", "api-key", ""));

        assertThat(provider.notReady()).contains("no API key configured");
    }

    @Test
    void refusesABaseUrlThatIsNotHttp() {
        assertThatThrownBy(() -> provider("base-url", "ftp://prospeo.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base-url");
    }

    @Test
    void answersOnlyEmailAndPhone() {
        ProviderOutcome outcome =
                AdapterHarness.await(provider().lookup(Capability.VERIFY, new ProviderQuery(ada(), "ada@acme.com", 0)));

        assertThat(outcome).isInstanceOf(Failure.class);
        assertThat(prospeo.getAllServeEvents()).isEmpty();
    }
}
