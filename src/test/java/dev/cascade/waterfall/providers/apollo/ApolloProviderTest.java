package dev.cascade.waterfall.providers.apollo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import dev.cascade.waterfall.providers.ProviderQuery;

/** The Apollo adapter against a loopback stub speaking Apollo's documented wire format (VENDORS.md §4). */
class ApolloProviderTest {
    private static final String MATCH = "/api/v1/people/match";
    private static final String SEARCH = "/api/v1/mixed_people/api_search";
    private static final Contact ADA = new Contact(null, "Ada", "Ng", "www.acme.com", "Acme");

    private static WireMockServer apollo;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        apollo = new WireMockServer(
                WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        apollo.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        apollo.stop();
    }

    @AfterEach
    void reset() {
        apollo.resetAll();
    }

    private static Provider provider(String... extra) {
        String[] settings = new String[extra.length + 4];
        settings[0] = "base-url";
        settings[1] = apollo.baseUrl() + "/api/v1";
        settings[2] = "timeout";
        settings[3] = "2s";
        System.arraycopy(extra, 0, settings, 4, extra.length);
        return new ApolloProviderFactory().create(harness.context("apollo", settings));
    }

    private static ProviderOutcome email(Contact contact) {
        return AdapterHarness.await(provider().lookup(Capability.EMAIL, new ProviderQuery(contact, null, 0)));
    }

    private static ProviderOutcome prospects(Contact contact, int max) {
        return AdapterHarness.await(provider().lookup(Capability.PROSPECT, new ProviderQuery(contact, null, max)));
    }

    private static void matchAnswers(String json) {
        apollo.stubFor(post(urlEqualTo(MATCH)).willReturn(okJson(json)));
    }

    private static String person(String email, String status) {
        return """
                {"person":{"id":"64a7ff0c","first_name":"Ada","last_name":"Ng","name":"Ada Ng","title":"CTO",
                 "linkedin_url":"http://www.linkedin.com/in/adang","email":%s,"email_status":%s,
                 "extrapolated_email_confidence":null,"city":"San Francisco","state":"California",
                 "country":"United States",
                 "organization":{"id":"5e66","name":"Acme","primary_domain":"acme.com","industry":"software",
                  "estimated_num_employees":120}}}
                """.formatted(
                        email == null ? "null" : "\"" + email + "\"", status == null ? "null" : "\"" + status + "\"");
    }

    private static EmailCandidate onlyCandidate(ProviderOutcome outcome) {
        assertThat(outcome).isInstanceOf(ProviderOutcome.Hit.class);
        List<EmailCandidate> emails = ((ProviderOutcome.Hit) outcome).data().emails();
        assertThat(emails).hasSize(1);
        return emails.get(0);
    }

    // ---- EMAIL ---------------------------------------------------------------------------------------------------

    @Test
    void findsVerifiedEmailWithProfileAndCompany() {
        matchAnswers(person("ada@acme.com", "verified"));

        ProviderOutcome outcome = email(ADA);

        ProviderData data = ((ProviderOutcome.Hit) outcome).data();
        assertThat(data.emails()).containsExactly(new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true));
        assertThat(data.prospect())
                .isEqualTo(new Prospect(
                        "Ada",
                        "Ng",
                        "Ada Ng",
                        "CTO",
                        "https://www.linkedin.com/in/adang",
                        "San Francisco, California, United States"));
        assertThat(data.company()).isEqualTo(new Company("Acme", "acme.com", "software", 120));
        apollo.verify(postRequestedFor(urlEqualTo(MATCH))
                .withHeader("x-api-key", equalTo("test-key"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"first_name":"Ada","last_name":"Ng","organization_name":"Acme","domain":"acme.com",
                         "reveal_personal_emails":false,"reveal_phone_number":false}
                        """)));
    }

    @Test
    void likelyToEngageIsReliable() {
        matchAnswers(person("ada@acme.com", "likely to engage"));

        assertThat(onlyCandidate(email(ADA))).isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unverified", "guessed", "extrapolated"})
    void unverifiedEmailIsRiskyAndLeftForTheVerifier(String status) {
        matchAnswers(person("ada@acme.com", status));

        assertThat(onlyCandidate(email(ADA))).isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.RISKY, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"update required", "update_required"})
    void updateRequiredIsUnknownAndNotVerified(String status) {
        matchAnswers(person("ada@acme.com", status));

        assertThat(onlyCandidate(email(ADA))).isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.UNKNOWN, false));
    }

    @Test
    void bouncedEmailIsPassedOnAsInvalid() {
        matchAnswers(person("ada@acme.com", "bounced"));

        assertThat(onlyCandidate(email(ADA))).isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.INVALID, true));
    }

    @Test
    void emailWithoutStatusIsLeftForTheVerifier() {
        matchAnswers(person("ada@acme.com", null));

        assertThat(onlyCandidate(email(ADA))).isEqualTo(new EmailCandidate("ada@acme.com", null, false));
    }

    @Test
    void unavailableEmailIsAMiss() {
        matchAnswers(person("ada@acme.com", "unavailable"));

        assertThat(email(ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void personWithoutEmailIsAMiss() {
        matchAnswers(person(null, null));

        assertThat(email(ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void lockedPlaceholderEmailIsAMiss() {
        matchAnswers(person("email_not_unlocked@domain.com", "verified"));

        assertThat(email(ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void nullPersonIsAMiss() {
        matchAnswers("{\"person\":null}");

        assertThat(email(ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void absentPersonIsAMiss() {
        matchAnswers("{}");

        assertThat(email(ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void linkedinOnlyContactSendsOnlyTheProfile() {
        matchAnswers(person("ada@acme.com", "verified"));

        email(new Contact("https://www.linkedin.com/in/adang", null, null, null, null));

        apollo.verify(postRequestedFor(urlEqualTo(MATCH)).withRequestBody(equalToJson("""
                        {"linkedin_url":"https://www.linkedin.com/in/adang",
                         "reveal_personal_emails":false,"reveal_phone_number":false}
                        """)));
    }

    @Test
    void contactWithoutEnoughIdentifiersIsNotSent() {
        matchAnswers(person("ada@acme.com", "verified"));

        assertThat(email(new Contact(null, "Ada", null, "acme.com", null))).isInstanceOf(ProviderOutcome.Miss.class);
        assertThat(email(new Contact(null, "Ada", "Ng", null, null))).isInstanceOf(ProviderOutcome.Miss.class);
        assertThat(apollo.getAllServeEvents()).isEmpty();
    }

    // ---- PROSPECT ------------------------------------------------------------------------------------------------

    private static final String SEARCH_RESULTS = """
            {"total_entries":3,"people":[
             {"id":"p1","first_name":"Ada","last_name_obfuscated":"N***g","title":"CTO",
              "linkedin_url":"http://www.linkedin.com/in/adang","has_email":true,"has_city":true,
              "organization":{"name":"Acme","has_industry":true,"has_phone":true}},
             {"id":"p2","first_name":"Bo","last_name_obfuscated":"Hu***n","title":"VP Sales","has_email":true,
              "organization":{"name":"Acme"}},
             {"id":"p3","first_name":"Cy","last_name_obfuscated":"Li***u","title":"Engineer",
              "organization":{"name":"Acme"}}]}
            """;

    @Test
    void discoversPeopleByDomainWithoutObfuscatedLastNames() {
        apollo.stubFor(post(urlEqualTo(SEARCH)).willReturn(okJson(SEARCH_RESULTS)));

        ProviderOutcome outcome = prospects(new Contact(null, null, null, "www.acme.com", "Acme"), 25);

        ProviderData data = ((ProviderOutcome.Hit) outcome).data();
        assertThat(data.prospects())
                .containsExactly(
                        new Prospect("Ada", null, null, "CTO", "https://www.linkedin.com/in/adang", null),
                        new Prospect("Bo", null, null, "VP Sales", null, null),
                        new Prospect("Cy", null, null, "Engineer", null, null));
        assertThat(data.company()).isEqualTo(new Company("Acme", "acme.com", null, null));
        apollo.verify(postRequestedFor(urlEqualTo(SEARCH))
                .withHeader("x-api-key", equalTo("test-key"))
                .withRequestBody(equalToJson("""
                        {"q_organization_domains_list":["acme.com"],"page":1,"per_page":25}
                        """)));
    }

    @Test
    void capsProspectsAtTheRequestedMaximum() {
        apollo.stubFor(post(urlEqualTo(SEARCH)).willReturn(okJson(SEARCH_RESULTS)));

        ProviderOutcome outcome = prospects(new Contact(null, null, null, "acme.com", null), 2);

        assertThat(((ProviderOutcome.Hit) outcome).data().prospects())
                .extracting(Prospect::firstName)
                .containsExactly("Ada", "Bo");
        apollo.verify(postRequestedFor(urlEqualTo(SEARCH))
                .withRequestBody(
                        equalToJson("{\"q_organization_domains_list\":[\"acme.com\"],\"page\":1,\"per_page\":2}")));
    }

    @Test
    void perPageNeverExceedsApollosLimit() {
        apollo.stubFor(post(urlEqualTo(SEARCH)).willReturn(okJson(SEARCH_RESULTS)));

        prospects(new Contact(null, null, null, "acme.com", null), 500);

        apollo.verify(postRequestedFor(urlEqualTo(SEARCH))
                .withRequestBody(
                        equalToJson("{\"q_organization_domains_list\":[\"acme.com\"],\"page\":1,\"per_page\":100}")));
    }

    @Test
    void companyNameOnlySearchesByKeyword() {
        apollo.stubFor(post(urlEqualTo(SEARCH)).willReturn(okJson(SEARCH_RESULTS)));

        ProviderOutcome outcome = prospects(new Contact(null, null, null, null, "Acme Corp"), 10);

        assertThat(((ProviderOutcome.Hit) outcome).data().prospects()).hasSize(3);
        // Without a domain the people found may work anywhere the keyword matches: no company is claimed.
        assertThat(((ProviderOutcome.Hit) outcome).data().company()).isNull();
        apollo.verify(postRequestedFor(urlEqualTo(SEARCH))
                .withRequestBody(equalToJson("{\"q_keywords\":\"Acme Corp\",\"page\":1,\"per_page\":10}")));
    }

    @Test
    void clearLastNameIsKept() {
        apollo.stubFor(post(urlEqualTo(SEARCH)).willReturn(okJson("""
                        {"people":[{"first_name":"Ada","last_name":"Ng","name":"Ada Ng","title":"CTO",
                          "city":"Austin","country":"United States"}]}
                        """)));

        ProviderOutcome outcome = prospects(new Contact(null, null, null, "acme.com", null), 5);

        assertThat(((ProviderOutcome.Hit) outcome).data().prospects())
                .containsExactly(new Prospect("Ada", "Ng", "Ada Ng", "CTO", null, "Austin, United States"));
    }

    @Test
    void noPeopleIsAMiss() {
        apollo.stubFor(post(urlEqualTo(SEARCH)).willReturn(okJson("{\"total_entries\":0,\"people\":[]}")));

        assertThat(prospects(new Contact(null, null, null, "acme.com", null), 25))
                .isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void companyWithoutDomainOrNameIsNotSearched() {
        assertThat(prospects(new Contact(null, "Ada", "Ng", null, null), 25)).isInstanceOf(ProviderOutcome.Miss.class);
        assertThat(apollo.getAllServeEvents()).isEmpty();
    }

    @Test
    void searchOutsideThePlanIsAPermanentFailure() {
        apollo.stubFor(post(urlEqualTo(SEARCH))
                .willReturn(aResponse()
                        .withStatus(403)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"This API key is not authorized to access api/v1/mixed_people/"
                                + "api_search\",\"error_code\":\"API_INACCESSIBLE\"}")));

        assertThat(prospects(new Contact(null, null, null, "acme.com", null), 25))
                .isEqualTo(Failure.permanent("HTTP 403: plan or key scope"));
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    private static void matchFails(int status, String body) {
        apollo.stubFor(post(urlEqualTo(MATCH))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    @Test
    void badKeyIsAPermanentFailure() {
        matchFails(401, """
                {"error":"Invalid API key. Please check your key.",
                 "error_details":{"code":"AUTH.AUTHENTICATION.API_KEY_INVALID"}}
                """);

        ProviderOutcome outcome = email(ADA);

        assertThat(outcome).isEqualTo(Failure.permanent("HTTP 401"));
        assertThat(((Failure) outcome).reason()).doesNotContain("test-key");
    }

    @Test
    void keyWithoutAccessToTheEndpointIsAPermanentFailure() {
        matchFails(403, """
                {"error":"This API key is not authorized to access api/v1/people/match","error_code":"API_INACCESSIBLE"}
                """);

        assertThat(email(ADA)).isEqualTo(Failure.permanent("HTTP 403: plan or key scope"));
    }

    @Test
    void missingEndpointIsAPermanentFailureNotAMiss() {
        apollo.stubFor(post(urlEqualTo(MATCH)).willReturn(aResponse().withStatus(404)));

        assertThat(email(ADA)).isEqualTo(Failure.permanent("HTTP 404: endpoint missing"));
    }

    @Test
    void invalidParametersAreRejectedForThisRequestOnly() {
        matchFails(422, "{\"error\":\"Invalid parameters\"}");

        ProviderOutcome outcome = email(ADA);

        assertThat(outcome).isEqualTo(Failure.rejected("HTTP 422"));
        assertThat(((Failure) outcome).providerFault()).isFalse();
    }

    @Test
    void throttledCarriesRetryAfter() {
        apollo.stubFor(post(urlEqualTo(MATCH))
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "30")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"The maximum number of api calls allowed for api/v1/people/match"
                                + " is 600 times per hour. Please upgrade your plan.\"}")));

        ProviderOutcome outcome = email(ADA);

        assertThat(outcome).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(30)));
        assertThat(((Failure) outcome).retryable()).isTrue();
    }

    @Test
    void throttledWithoutRetryAfterDoesNotGuessFromTheMessage() {
        matchFails(
                429,
                "{\"message\":\"The maximum number of api calls allowed for api/v1/people/match is 600 times per hour.\"}");

        assertThat(email(ADA)).isEqualTo(Failure.throttled("HTTP 429", null));
    }

    @Test
    void serverErrorIsTransient() {
        matchFails(503, "{\"error\":\"unavailable\"}");

        ProviderOutcome outcome = email(ADA);

        assertThat(outcome).isInstanceOf(Failure.class);
        assertThat(((Failure) outcome).reason()).isEqualTo("HTTP 503");
        assertThat(((Failure) outcome).retryable()).isTrue();
    }

    @Test
    void htmlOn200IsMalformed() {
        apollo.stubFor(post(urlEqualTo(MATCH))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html><body>Maintenance</body></html>")));

        assertThat(email(ADA)).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsMalformed() {
        matchAnswers("{\"person\":{\"email\":\"ada@acme.com\",\"email_status\":");

        assertThat(email(ADA)).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void slowAnswerIsATimeout() {
        apollo.stubFor(post(urlEqualTo(MATCH))
                .willReturn(okJson(person("ada@acme.com", "verified")).withFixedDelay(1500)));
        Provider provider = provider("timeout", "300ms");

        ProviderOutcome outcome =
                AdapterHarness.await(provider.lookup(Capability.EMAIL, new ProviderQuery(ADA, null, 0)));

        assertThat(outcome).isEqualTo(Failure.transientFault("timeout"));
    }

    @Test
    void notReadyWithoutAKey() {
        Provider provider = new ApolloProviderFactory().create(harness.context("apollo", "api-key", ""));

        assertThat(provider.notReady()).contains("no API key configured");
        assertThat(provider.capabilities()).containsExactlyInAnyOrder(Capability.EMAIL, Capability.PROSPECT);
        assertThat(provider.type()).isEqualTo("apollo");
    }

    @Test
    void defaultsToApollosPublicBaseUrl() {
        assertThat(harness.context("apollo").baseUrl(ApolloProviderFactory.DEFAULT_BASE_URL))
                .isEqualTo("https://api.apollo.io/api/v1");
    }

    @Test
    void linkedinUrlsAreNormalisedToHttpsWww() {
        assertThat(LinkedIn.normalise("http://www.linkedin.com/in/adang"))
                .isEqualTo("https://www.linkedin.com/in/adang");
        assertThat(LinkedIn.normalise("linkedin.com/in/adang/?trk=x")).isEqualTo("https://www.linkedin.com/in/adang");
        assertThat(LinkedIn.normalise(" ")).isNull();
    }
}
