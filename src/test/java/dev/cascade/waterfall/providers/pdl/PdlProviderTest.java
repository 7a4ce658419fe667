package dev.cascade.waterfall.providers.pdl;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

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
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderData.EmailCandidate;
import dev.cascade.waterfall.providers.ProviderData.PhoneCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderOutcome.Hit;
import dev.cascade.waterfall.providers.ProviderOutcome.Miss;
import dev.cascade.waterfall.providers.ProviderQuery;

/** People Data Labs against a loopback stub speaking its v5 Person Enrichment wire format (VENDORS.md §3). */
class PdlProviderTest {
    private static final String PATH = "/v5/person/enrich";
    private static final String KEY = "test-key";

    /** A titlecased record (we ask for `titlecase=true`) with every contact field the adapter reads. */
    private static final String ENRICHED = """
            {"status":200,"likelihood":8,"data":{"full_name":"Ada Ng","first_name":"Ada","last_name":"Ng",
             "job_title":"CTO","job_company_name":"Acme","job_company_website":"acme.com",
             "job_company_linkedin_url":"linkedin.com/company/acme","linkedin_url":"linkedin.com/in/adang",
             "location_name":"San Francisco, California, United States",
             "work_email":"ada@acme.com","personal_emails":["ada.ng@gmail.com"],"recommended_personal_email":"ada.ng@gmail.com",
             "emails":[
              {"address":"ada.ng@gmail.com","type":"personal"},
              {"address":"ada@oldco.com","type":"professional"},
              {"address":"ada@acme.com","type":"current_professional"},
              {"address":"a.ng@acme.com","type":"current_professional"},
              {"address":"ada@unknown.org","type":null}],
             "mobile_phone":"+14155550100","phone_numbers":["+14155550100","+1 415-555-0100","+14155550199"]}}
            """;

    private static final String NOT_FOUND = """
            {"status":404,"error":{"type":"not_found","message":"No records were found matching your request"}}""";

    private static WireMockServer pdl;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        pdl = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        pdl.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        pdl.stop();
    }

    @BeforeEach
    void reset() {
        pdl.resetAll();
    }

    private static Provider provider(String... settings) {
        String[] all = new String[settings.length + 4];
        all[0] = "base-url";
        all[1] = pdl.baseUrl() + "/v5";
        all[2] = "timeout";
        all[3] = "2s";
        System.arraycopy(settings, 0, all, 4, settings.length);
        return new PdlProviderFactory().create(harness.context("pdl", all));
    }

    private static ProviderOutcome ask(Provider provider, Capability capability, Contact contact) {
        return AdapterHarness.await(provider.lookup(capability, new ProviderQuery(contact, null, 0)));
    }

    private static ProviderOutcome ask(Capability capability, Contact contact) {
        return ask(provider(), capability, contact);
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
        pdl.stubFor(get(urlPathEqualTo(PATH)).willReturn(answer));
    }

    private static void answersData(String data) {
        answers(okJson("{\"status\":200,\"likelihood\":6,\"data\":" + data + "}"));
    }

    private static ResponseDefinitionBuilder error(int status, String type, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":" + status + ",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message
                        + "\"}}");
    }

    // ---- hits ----------------------------------------------------------------------------------------------

    @Test
    void findsWorkEmailThenOtherWorkAddressesWithoutVerdict() {
        answers(okJson(ENRICHED));

        ProviderOutcome outcome = findEmail();

        assertThat(outcome).isInstanceOf(Hit.class);
        ProviderData data = ((Hit) outcome).data();
        // work_email first, then current professional ones; a past employer's, personal and untyped never.
        assertThat(data.emails())
                .containsExactly(
                        new EmailCandidate("ada@acme.com", null, false),
                        new EmailCandidate("a.ng@acme.com", null, false));
        assertThat(data.phones()).isEmpty();
        assertThat(data.prospect())
                .isEqualTo(new Prospect(
                        "Ada",
                        "Ng",
                        "Ada Ng",
                        "CTO",
                        "https://linkedin.com/in/adang",
                        "San Francisco, California, United States"));
        assertThat(data.company()).isEqualTo(new Company("Acme", "acme.com", null, null));
        pdl.verify(
                1,
                getRequestedFor(urlPathEqualTo(PATH))
                        .withHeader("X-Api-Key", equalTo(KEY))
                        .withQueryParam("first_name", equalTo("Ada"))
                        .withQueryParam("last_name", equalTo("Ng"))
                        .withQueryParam("company", equalTo("acme.com"))
                        .withQueryParam("titlecase", equalTo("true"))
                        .withQueryParam("profile", absent())
                        .withQueryParam("api_key", absent()));
    }

    @Test
    void asksByLinkedinProfileWhenTheContactHasOne() {
        answers(okJson(ENRICHED));
        Contact contact = new Contact("https://www.linkedin.com/in/adang", "Ada", "Ng", "acme.com", null);

        assertThat(ask(Capability.EMAIL, contact)).isInstanceOf(Hit.class);

        pdl.verify(
                1,
                getRequestedFor(urlPathEqualTo(PATH))
                        .withHeader("X-Api-Key", equalTo(KEY))
                        .withQueryParam("profile", equalTo("https://www.linkedin.com/in/adang"))
                        .withQueryParam("first_name", absent())
                        .withQueryParam("company", absent()));
    }

    @Test
    void asksByCompanyNameWhenThereIsNoDomain() {
        answers(okJson(ENRICHED));

        assertThat(ask(Capability.EMAIL, new Contact(null, "Ada", "Ng", null, "Acme & Co")))
                .isInstanceOf(Hit.class);

        pdl.verify(
                1,
                getRequestedFor(urlPathEqualTo(PATH))
                        .withQueryParam("company", equalTo("Acme & Co"))
                        .withQueryParam("first_name", equalTo("Ada")));
    }

    @Test
    void findsMobileThenOtherNumbersEachOnce() {
        answers(okJson(ENRICHED));

        ProviderOutcome outcome = findPhone();

        assertThat(outcome).isInstanceOf(Hit.class);
        ProviderData data = ((Hit) outcome).data();
        // "+1 415-555-0100" is the mobile written differently: not a second number.
        assertThat(data.phones())
                .containsExactly(
                        new PhoneCandidate("+14155550100", "mobile", null),
                        new PhoneCandidate("+14155550199", null, null));
        assertThat(data.emails()).isEmpty();
    }

    @Test
    void findsUntypedNumbersWithoutAMobile() {
        answersData("""
                {"full_name":"Ada Ng","mobile_phone":null,"phone_numbers":["+442071838750"]}""");

        assertThat(((Hit) findPhone()).data().phones())
                .containsExactly(new PhoneCandidate("+442071838750", null, null));
    }

    @Test
    void currentWorkAddressWithoutWorkEmailIsAHit() {
        answersData("""
                {"work_email":null,"job_company_website":"acme.com","emails":[
                  {"address":"ada@acme.com","type":"current_professional"},
                  {"address":"ada@elsewhere.io","type":"current_professional"}]}""");

        assertThat(((Hit) findEmail()).data().emails())
                .containsExactly(new EmailCandidate("ada@acme.com", null, false));
    }

    @Test
    void onlyPastEmployersAddressesIsAMiss() {
        // VENDORS.md §3a: emails[] is historical; an old employer's address must never become the primary email.
        answersData("""
                {"work_email":null,"emails":[{"address":"ada@oldco.com","type":"professional"}]}""");

        assertThat(findEmail()).isInstanceOf(ProviderOutcome.Miss.class);
    }

    // ---- misses ----------------------------------------------------------------------------------------------

    @Test
    void notFoundIsAMiss() {
        answers(aResponse()
                .withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody(NOT_FOUND));

        assertThat(findEmail()).isEqualTo(new Miss());
        assertThat(findPhone()).isEqualTo(new Miss());
    }

    @Test
    void personalEmailsAreNeverReturned() {
        answersData("""
                {"full_name":"Ada Ng","work_email":null,"personal_emails":["ada.ng@gmail.com"],
                 "recommended_personal_email":"ada.ng@gmail.com",
                 "emails":[{"address":"ada.ng@gmail.com","type":"personal"},{"address":"ada@x.org","type":null}]}""");

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void freePlanBooleansAreNotContactValues() {
        answersData("""
                {"full_name":"Ada Ng","work_email":true,"personal_emails":true,"emails":true,
                 "mobile_phone":true,"phone_numbers":true,"linkedin_url":"linkedin.com/in/adang"}""");

        assertThat(findEmail()).isEqualTo(new Miss());
        assertThat(findPhone()).isEqualTo(new Miss());
    }

    @Test
    void freePlanBooleanInsideEmailsIsNotAnAddress() {
        answersData("""
                {"work_email":false,"emails":[{"address":true,"type":"current_professional"}]}""");

        assertThat(findEmail()).isEqualTo(new Miss());
    }

    @Test
    void personWithoutPhonesIsAMissForPhones() {
        answersData("""
                {"full_name":"Ada Ng","work_email":"ada@acme.com","mobile_phone":null,"phone_numbers":[]}""");

        assertThat(findPhone()).isEqualTo(new Miss());
    }

    @Test
    void contactBelowTheMinimumIsAMissWithoutACall() {
        answers(okJson(ENRICHED));

        assertThat(ask(Capability.EMAIL, new Contact(null, "Ada", "Ng", null, null)))
                .isEqualTo(new Miss());
        assertThat(ask(Capability.PHONE, new Contact(null, null, "Ng", "acme.com", null)))
                .isEqualTo(new Miss());
        pdl.verify(0, anyRequestedFor(anyUrl()));
    }

    // ---- failures --------------------------------------------------------------------------------------------

    @Test
    void bare404PageIsAWrongBaseUrlNotAMiss() {
        answers(aResponse()
                .withStatus(404)
                .withHeader("Content-Type", "text/html")
                .withBody("<h1>Not Found</h1>"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("HTTP 404"));
    }

    @Test
    void invalidRequestIsRejectedForThisRequestOnly() {
        answers(error(400, "invalid_request_error", "Request object must contain a valid identifier"));

        assertThat(findEmail()).isEqualTo(Failure.rejected("HTTP 400"));
    }

    @Test
    void badKeyIsAPermanentFailure() {
        answers(error(401, "authentication_error", "Invalid API Key"));

        ProviderOutcome outcome = findEmail();

        assertThat(outcome).isEqualTo(Failure.permanent("HTTP 401"));
        assertThat(((Failure) outcome).reason()).doesNotContain(KEY);
    }

    @Test
    void outOfCreditsIsAPermanentFailure() {
        answers(error(402, "payment_required", "You have hit your account maximum for person enrichment"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("credits exhausted"));
    }

    @Test
    void rateLimitedCarriesRetryAfter() {
        answers(error(429, "rate_limit_error", "Rate limit exceeded").withHeader("Retry-After", "3"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(3)));
    }

    @Test
    void rateLimitedWithoutRetryAfterWaitsUntilTheWindowResets() {
        answers(error(429, "rate_limit_error", "Rate limit exceeded")
                .withHeader("x-ratelimit-reset", "2022-02-23T20:19:55Z")
                .withHeader("x-ratelimit-remaining", "{\"minute\": 0, \"day\": null, \"month\": null}"));
        Clock clock = Clock.fixed(Instant.parse("2022-02-23T20:19:40Z"), ZoneOffset.UTC);
        Provider provider = new PdlProvider(
                harness.context("pdl", "base-url", pdl.baseUrl() + "/v5"), pdl.baseUrl() + "/v5", clock);

        assertThat(ask(provider, Capability.EMAIL, ada()))
                .isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(15)));
    }

    @Test
    void readsTheResetTimeInEveryFormPdlHasDocumented() {
        Instant reset = Instant.parse("2022-02-23T20:19:55Z");

        assertThat(PdlProvider.resetInstant("2022-02-23T20:19:55Z")).isEqualTo(reset);
        assertThat(PdlProvider.resetInstant("\"2022-02-23T20:19:55Z\"")).isEqualTo(reset);
        assertThat(PdlProvider.resetInstant("1645647595")).isEqualTo(reset);
        assertThat(PdlProvider.resetInstant("2022-02-23 20:19:55")).isEqualTo(reset);
        assertThat(PdlProvider.resetInstant("{\"minute\": \"2022-02-23T20:19:55Z\"}"))
                .isEqualTo(reset);
        assertThat(PdlProvider.resetInstant("Wed, 23 Feb 2022 20:19:55 GMT")).isEqualTo(reset);
        assertThat(PdlProvider.resetInstant("soon")).isNull();
        assertThat(PdlProvider.resetInstant("59")).isNull();
    }

    @Test
    void rateLimitedWithoutHintsIsThrottledWithoutAWait() {
        answers(error(429, "rate_limit_error", "Rate limit exceeded"));

        assertThat(findEmail()).isEqualTo(Failure.throttled("HTTP 429", null));
    }

    @Test
    void serverErrorIsTransient() {
        answers(error(500, "error", "Internal error"));

        assertThat(findEmail()).isEqualTo(Failure.transientFault("HTTP 500"));
    }

    @Test
    void badGatewayIsTransient() {
        answers(aResponse().withStatus(502).withBody("<html>Bad Gateway</html>"));

        ProviderOutcome outcome = findPhone();

        assertThat(outcome).isInstanceOf(Failure.class);
        assertThat(((Failure) outcome).retryable()).isTrue();
        assertThat(((Failure) outcome).reason()).isEqualTo("HTTP 502");
    }

    @Test
    void htmlOn200IsAMalformedResponse() {
        answers(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<!doctype html><title>PDL</title>"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsAMalformedResponse() {
        answers(okJson("{\"status\":200,\"likelihood\":8,\"data\":{\"work_email\":\"ada@ac"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void answerWithoutDataIsAMalformedResponse() {
        answers(okJson("{\"status\":200,\"likelihood\":8}"));

        assertThat(findEmail()).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void slowAnswerTimesOut() {
        answers(okJson(ENRICHED).withFixedDelay(1500));

        ProviderOutcome outcome = ask(provider("timeout", "300ms"), Capability.EMAIL, ada());

        assertThat(outcome).isEqualTo(Failure.transientFault("timeout"));
    }

    // ---- wiring ----------------------------------------------------------------------------------------------

    @Test
    void describesItself() {
        Provider provider = provider();

        assertThat(provider.type()).isEqualTo("pdl");
        assertThat(provider.name()).isEqualTo("pdl");
        assertThat(provider.capabilities()).containsExactlyInAnyOrder(Capability.EMAIL, Capability.PHONE);
        assertThat(provider.notReady()).isEmpty();
        assertThat(new PdlProviderFactory().type()).isEqualTo("pdl");
    }

    @Test
    void isNotReadyWithoutAnApiKey() {
        Provider provider = new PdlProviderFactory().create(harness.context("pdl", "api-key", ""));

        assertThat(provider.notReady()).contains("no API key configured");
    }

    @Test
    void refusesABaseUrlThatIsNotHttp() {
        assertThatThrownBy(() -> provider("base-url", "api.peopledatalabs.com/v5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base-url");
    }

    @Test
    void answersOnlyEmailAndPhone() {
        ProviderOutcome outcome = ask(Capability.PROSPECT, ada());

        assertThat(outcome).isInstanceOf(Failure.class);
        assertThat(pdl.getAllServeEvents()).isEmpty();
    }
}
