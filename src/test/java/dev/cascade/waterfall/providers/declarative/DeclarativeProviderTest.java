package dev.cascade.waterfall.providers.declarative;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import dev.cascade.waterfall.providers.ProviderQuery;

/**
 * The declarative provider configured only through properties (as an operator would), against a loopback vendor.
 */
class DeclarativeProviderTest {
    private static final Contact ADA = new Contact(null, "Ada", "Ng", "acme.com", "Acme");

    private static WireMockServer vendor;
    private static AdapterHarness harness;

    @BeforeAll
    static void start() {
        vendor = new WireMockServer(
                WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        vendor.start();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
        vendor.stop();
    }

    @AfterEach
    void reset() {
        vendor.resetAll();
    }

    /** The worked example of docs/providers.md: an email finder answering GET /lookup. */
    private static List<String> finder() {
        return new ArrayList<>(List.of(
                "http.capabilities", "email",
                "http.url", vendor.baseUrl() + "/lookup?first={first_name}&last={last_name}&domain={company_domain}",
                "http.headers.Authorization", "Bearer {api_key}",
                "http.map.email", "/data/email",
                "http.map.email-status", "/data/verification/status",
                "http.map.first-name", "/data/first_name",
                "http.map.last-name", "/data/last_name",
                "http.map.title", "/data/position",
                "http.map.linkedin-url", "/data/linkedin",
                "http.map.company-name", "/data/company",
                "http.map.company-domain", "/data/domain",
                "http.status-values.valid", "reliable",
                "http.status-values.accept_all", "risky",
                "http.status-values.invalid", "invalid",
                "timeout", "2s"));
    }

    private static List<String> with(List<String> settings, String... more) {
        List<String> all = new ArrayList<>(settings);
        all.addAll(Arrays.asList(more));
        return all;
    }

    private static Provider provider(List<String> settings) {
        return new DeclarativeProviderFactory().create(harness.context("finder", settings.toArray(String[]::new)));
    }

    private static ProviderOutcome lookup(Provider provider, Capability capability, ProviderQuery query) {
        return AdapterHarness.await(provider.lookup(capability, query));
    }

    private static ProviderOutcome email(List<String> settings, Contact contact) {
        return lookup(provider(settings), Capability.EMAIL, new ProviderQuery(contact, null, 0));
    }

    private static void lookupAnswers(String json) {
        vendor.stubFor(get(urlPathEqualTo("/lookup")).willReturn(okJson(json)));
    }

    private static String found(String status) {
        return """
                {"data":{"email":"ada@acme.com","verification":{"status":%s},"first_name":"Ada","last_name":"Ng",
                 "position":"CTO","linkedin":"https://www.linkedin.com/in/adang","company":"Acme","domain":"Acme.com"}}
                """.formatted(status == null ? "null" : "\"" + status + "\"");
    }

    private static EmailCandidate onlyCandidate(ProviderOutcome outcome) {
        assertThat(outcome).isInstanceOf(ProviderOutcome.Hit.class);
        List<EmailCandidate> emails = ((ProviderOutcome.Hit) outcome).data().emails();
        assertThat(emails).hasSize(1);
        return emails.get(0);
    }

    // ---- the worked example --------------------------------------------------------------------------------------

    @Test
    void findsEmailWithAProviderConfiguredOnlyThroughProperties() {
        lookupAnswers(found("valid"));

        ProviderOutcome outcome = email(finder(), ADA);

        ProviderData data = ((ProviderOutcome.Hit) outcome).data();
        assertThat(data.emails()).containsExactly(new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true));
        assertThat(data.prospect())
                .isEqualTo(new Prospect("Ada", "Ng", null, "CTO", "https://www.linkedin.com/in/adang", null));
        assertThat(data.company()).isEqualTo(new Company("Acme", "acme.com", null, null));
        vendor.verify(getRequestedFor(urlEqualTo("/lookup?first=Ada&last=Ng&domain=acme.com"))
                .withHeader("Authorization", equalTo("Bearer test-key"))
                .withHeader("Content-Type", absent()));
        Provider provider = provider(finder());
        assertThat(provider.type()).isEqualTo("http");
        assertThat(provider.capabilities()).containsExactly(Capability.EMAIL);
        assertThat(provider.notReady()).isEmpty();
    }

    @Test
    void statusValuesGiveTheVendorsVerdict() {
        lookupAnswers(found("accept_all"));
        assertThat(onlyCandidate(email(finder(), ADA)))
                .isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.RISKY, true));

        vendor.resetAll();
        lookupAnswers(found("INVALID"));
        assertThat(onlyCandidate(email(finder(), ADA)))
                .isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.INVALID, true));
    }

    @Test
    void unlistedOrAbsentStatusLeavesTheEmailForTheVerifier() {
        lookupAnswers(found("webmail"));
        assertThat(onlyCandidate(email(finder(), ADA))).isEqualTo(new EmailCandidate("ada@acme.com", null, false));

        vendor.resetAll();
        lookupAnswers(found(null));
        assertThat(onlyCandidate(email(finder(), ADA))).isEqualTo(new EmailCandidate("ada@acme.com", null, false));
    }

    @Test
    void statusValuesWithSpacesAreQuotedKeys() {
        lookupAnswers(found("likely to engage"));

        ProviderOutcome outcome = email(with(finder(), "http.status-values.\"likely to engage\"", "reliable"), ADA);

        assertThat(onlyCandidate(outcome)).isEqualTo(new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true));
    }

    @Test
    void urlPlaceholdersArePercentEncoded() {
        lookupAnswers(found("valid"));

        email(finder(), new Contact(null, "José María", "O'Neil+Ng", "b&b.com", null));

        String url = vendor.getAllServeEvents().get(0).getRequest().getUrl();
        assertThat(url).isEqualTo("/lookup?first=Jos%C3%A9%20Mar%C3%ADa&last=O%27Neil%2BNg&domain=b%26b.com");
    }

    @Test
    void absentValueIsSentEmpty() {
        lookupAnswers(found("valid"));

        email(finder(), new Contact(null, "Ada", null, "acme.com", null));

        vendor.verify(getRequestedFor(urlEqualTo("/lookup?first=Ada&last=&domain=acme.com")));
    }

    // ---- misses --------------------------------------------------------------------------------------------------

    @Test
    void notFoundStatusIsAMiss() {
        vendor.stubFor(get(urlPathEqualTo("/lookup"))
                .willReturn(aResponse().withStatus(404).withBody("{\"error\":\"not found\"}")));

        assertThat(email(finder(), ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void configuredMissStatusesReplaceTheDefault() {
        vendor.stubFor(get(urlPathEqualTo("/lookup")).willReturn(aResponse().withStatus(204)));
        List<String> settings = with(finder(), "http.miss-statuses", "204,422");

        assertThat(email(settings, ADA)).isInstanceOf(ProviderOutcome.Miss.class);

        vendor.resetAll();
        vendor.stubFor(get(urlPathEqualTo("/lookup")).willReturn(aResponse().withStatus(404)));
        assertThat(email(settings, ADA)).isEqualTo(Failure.rejected("HTTP 404"));
    }

    @Test
    void missingFieldOn200IsAMiss() {
        lookupAnswers("{\"data\":{\"first_name\":\"Ada\"}}");
        assertThat(email(finder(), ADA)).isInstanceOf(ProviderOutcome.Miss.class);

        vendor.resetAll();
        lookupAnswers("{\"data\":{\"email\":null,\"score\":null}}");
        assertThat(email(finder(), ADA)).isInstanceOf(ProviderOutcome.Miss.class);

        vendor.resetAll();
        lookupAnswers("{\"data\":{\"email\":\"  \"}}");
        assertThat(email(finder(), ADA)).isInstanceOf(ProviderOutcome.Miss.class);
    }

    @Test
    void emailsArrayGivesSeveralCandidates() {
        lookupAnswers("""
                {"data":{"email":"ada@acme.com","verification":{"status":"valid"},
                 "alternatives":["a.ng@acme.com","ADA@acme.com","not-an-email",null]}}
                """);

        ProviderOutcome outcome = email(with(finder(), "http.map.emails", "/data/alternatives"), ADA);

        assertThat(((ProviderOutcome.Hit) outcome).data().emails())
                .containsExactly(
                        new EmailCandidate("ada@acme.com", EmailStatus.RELIABLE, true),
                        new EmailCandidate("a.ng@acme.com", null, false));
    }

    // ---- POST with a body template -------------------------------------------------------------------------------

    private static List<String> poster() {
        return new ArrayList<>(List.of(
                "http.capabilities", "email",
                "http.method", "post",
                "http.url", vendor.baseUrl() + "/v1/find",
                "http.headers.X-Api-Key", "{api_key}",
                "http.headers.X-Client", "cascade",
                "http.body",
                        "{\"name\":\"{full_name}\",\"company\":{\"domain\":\"{company_domain}\",\"name\":\"{company_name}\"},"
                                + "\"limit\":{max_prospects}}",
                "http.map.email", "/email",
                "timeout", "2s"));
    }

    @Test
    void postsTheBodyTemplateWithJsonEscapedValues() {
        vendor.stubFor(post(urlEqualTo("/v1/find")).willReturn(okJson("{\"email\":\"ada@acme.com\"}")));
        Contact contact = new Contact(null, "Ada \"The Countess\"", "Lövelace \\ 日本", "acme.com", null);

        ProviderOutcome outcome = email(poster(), contact);

        assertThat(onlyCandidate(outcome)).isEqualTo(new EmailCandidate("ada@acme.com", null, false));
        vendor.verify(postRequestedFor(urlEqualTo("/v1/find"))
                .withHeader("X-Api-Key", equalTo("test-key"))
                .withHeader("X-Client", equalTo("cascade"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"name":"Ada \\"The Countess\\" Lövelace \\\\ 日本",
                         "company":{"domain":"acme.com","name":""},"limit":0}
                        """)));
    }

    @Test
    void headerValuesCannotBeSplitByAValue() {
        vendor.stubFor(post(urlEqualTo("/v1/find")).willReturn(okJson("{\"email\":\"ada@acme.com\"}")));
        List<String> settings = with(poster(), "http.headers.X-Person", "{first_name}");

        email(settings, new Contact(null, "Ada\r\nX-Evil: 1", "Ng", "acme.com", null));

        vendor.verify(postRequestedFor(urlEqualTo("/v1/find"))
                .withHeader("X-Person", equalTo("AdaX-Evil: 1"))
                .withHeader("X-Evil", absent()));
    }

    // ---- PHONE, VERIFY, PROSPECT ---------------------------------------------------------------------------------

    @Test
    void findsPhonesAsTheVendorWroteThem() {
        vendor.stubFor(get(urlPathEqualTo("/phones")).willReturn(okJson("""
                        {"person":{"mobile":"+1 415-555-0100","type":"Cell","others":["+14155550199",4155550100,
                         "+1 415-555-0100"]}}
                        """)));
        Provider provider = provider(List.of(
                "http.capabilities", "phone",
                "http.url", vendor.baseUrl() + "/phones?li={linkedin_url}",
                "http.map.phone", "/person/mobile",
                "http.map.phone-type", "/person/type",
                "http.map.phones", "/person/others"));

        ProviderOutcome outcome = lookup(
                provider,
                Capability.PHONE,
                new ProviderQuery(new Contact("https://www.linkedin.com/in/adang", null, null, null, null), null, 0));

        assertThat(((ProviderOutcome.Hit) outcome).data().phones())
                .containsExactly(
                        new PhoneCandidate("+1 415-555-0100", "mobile"),
                        new PhoneCandidate("+14155550199", null),
                        new PhoneCandidate("4155550100", null));
        vendor.verify(getRequestedFor(urlEqualTo("/phones?li=https%3A%2F%2Fwww.linkedin.com%2Fin%2Fadang")));
        // No template sends the key: a keyless vendor is ready without one.
        assertThat(provider.notReady()).isEmpty();
    }

    private static Provider verifier() {
        return provider(List.of(
                "http.capabilities", "verify",
                "http.url", vendor.baseUrl() + "/verify/{email}",
                "http.headers.X-Key", "{api_key}",
                "http.map.verdict", "/result",
                "http.status-values.deliverable", "reliable",
                "http.status-values.risky", "risky",
                "http.status-values.undeliverable", "invalid"));
    }

    private static ProviderOutcome verify(String email) {
        return lookup(verifier(), Capability.VERIFY, new ProviderQuery(ADA, email, 0));
    }

    @Test
    void verifiesAnEmailThroughStatusValues() {
        vendor.stubFor(
                get(urlEqualTo("/verify/ada%2Bsales%40acme.com")).willReturn(okJson("{\"result\":\"undeliverable\"}")));

        assertThat(verify("ada+sales@acme.com"))
                .isEqualTo(new ProviderOutcome.Hit(ProviderData.verified(EmailStatus.INVALID)));
        // The email's own `+` must reach the vendor as %2B, never as a space.
        assertThat(vendor.getAllServeEvents().get(0).getRequest().getUrl()).isEqualTo("/verify/ada%2Bsales%40acme.com");
    }

    @Test
    void missingOrUnlistedVerdictIsUnknown() {
        vendor.stubFor(get(urlEqualTo("/verify/a%40acme.com")).willReturn(okJson("{\"result\":\"greylisted\"}")));
        vendor.stubFor(get(urlEqualTo("/verify/b%40acme.com")).willReturn(okJson("{\"other\":1}")));

        assertThat(verify("a@acme.com")).isEqualTo(new ProviderOutcome.Hit(ProviderData.verified(EmailStatus.UNKNOWN)));
        assertThat(verify("b@acme.com")).isEqualTo(new ProviderOutcome.Hit(ProviderData.verified(EmailStatus.UNKNOWN)));
    }

    private static Provider discovery() {
        return provider(List.of(
                "http.capabilities", "prospect",
                "http.url", vendor.baseUrl() + "/people?domain={company_domain}&size={max_prospects}",
                "http.map.prospects", "/results",
                "http.map.first-name", "/person/first",
                "http.map.last-name", "/person/last",
                "http.map.title", "/person/role",
                "http.map.linkedin-url", "/person/profile",
                "http.map.location", "/person/city",
                "http.map.company-name", "/organization/name",
                "http.map.company-domain", "/organization/domain"));
    }

    @Test
    void discoversProspectsFromAnArray() {
        vendor.stubFor(get(urlPathEqualTo("/people")).willReturn(okJson("""
                        {"organization":{"name":"Acme","domain":"acme.com"},"results":[
                         {"person":{"first":"Ada","last":"Ng","role":"CTO","profile":"https://www.linkedin.com/in/adang",
                          "city":"Austin"}},
                         {"person":{}},
                         {"person":{"first":"Bo","role":"VP Sales"}},
                         {"person":{"first":"Cy"}}]}
                        """)));

        ProviderOutcome outcome = lookup(
                discovery(),
                Capability.PROSPECT,
                new ProviderQuery(new Contact(null, null, null, "acme.com", null), null, 2));

        ProviderData data = ((ProviderOutcome.Hit) outcome).data();
        assertThat(data.prospects())
                .containsExactly(
                        new Prospect("Ada", "Ng", null, "CTO", "https://www.linkedin.com/in/adang", "Austin"),
                        new Prospect("Bo", null, null, "VP Sales", null, null));
        assertThat(data.company()).isEqualTo(new Company("Acme", "acme.com", null, null));
        vendor.verify(getRequestedFor(urlEqualTo("/people?domain=acme.com&size=2")));
    }

    @Test
    void emptyProspectListIsAMiss() {
        vendor.stubFor(get(urlPathEqualTo("/people")).willReturn(okJson("{\"results\":[]}")));

        assertThat(lookup(discovery(), Capability.PROSPECT, new ProviderQuery(ADA, null, 10)))
                .isInstanceOf(ProviderOutcome.Miss.class);
    }

    // ---- the standard matrix -------------------------------------------------------------------------------------

    private static void lookupFails(int status, String body) {
        vendor.stubFor(get(urlPathEqualTo("/lookup"))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    @Test
    void badKeyIsAPermanentFailure() {
        lookupFails(401, "{\"error\":\"invalid key test-key\"}");

        ProviderOutcome outcome = email(finder(), ADA);

        assertThat(outcome).isEqualTo(Failure.permanent("HTTP 401"));
        assertThat(((Failure) outcome).reason()).doesNotContain("test-key");
    }

    @Test
    void throttledCarriesRetryAfter() {
        vendor.stubFor(get(urlPathEqualTo("/lookup"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        assertThat(email(finder(), ADA)).isEqualTo(Failure.throttled("HTTP 429", Duration.ofSeconds(7)));
    }

    @Test
    void serverErrorIsTransient() {
        lookupFails(502, "{}");

        ProviderOutcome outcome = email(finder(), ADA);

        assertThat(((Failure) outcome).reason()).isEqualTo("HTTP 502");
        assertThat(((Failure) outcome).retryable()).isTrue();
        assertThat(((Failure) outcome).providerFault()).isTrue();
    }

    @Test
    void otherClientErrorIsRejectedForThisRequest() {
        lookupFails(400, "{\"error\":\"bad first name\"}");

        assertThat(email(finder(), ADA)).isEqualTo(Failure.rejected("HTTP 400"));
    }

    @Test
    void htmlOn200IsMalformed() {
        vendor.stubFor(get(urlPathEqualTo("/lookup"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html>Service paused</html>")));

        assertThat(email(finder(), ADA)).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void truncatedJsonIsMalformed() {
        lookupAnswers("{\"data\":{\"email\":\"ada@ac");

        assertThat(email(finder(), ADA)).isEqualTo(Failure.permanent("malformed response"));
    }

    @Test
    void slowAnswerIsATimeout() {
        vendor.stubFor(
                get(urlPathEqualTo("/lookup")).willReturn(okJson(found("valid")).withFixedDelay(1500)));

        assertThat(email(with(finder(), "timeout", "300ms"), ADA)).isEqualTo(Failure.transientFault("timeout"));
    }

    // ---- readiness and validation --------------------------------------------------------------------------------

    @Test
    void notReadyOnlyWhenATemplateNeedsTheMissingKey() {
        assertThat(provider(with(finder(), "api-key", "")).notReady()).contains("no API key configured");
        assertThat(provider(with(poster(), "api-key", "")).notReady()).contains("no API key configured");
        List<String> keyless = with(finder(), "api-key", "", "http.headers.Authorization", "Basic abc");
        assertThat(provider(keyless).notReady()).isEmpty();
    }

    private static void assertInvalid(List<String> settings, String... messageParts) {
        assertThatThrownBy(() -> provider(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    private static List<String> without(List<String> settings, String key) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i + 1 < settings.size(); i += 2) {
            if (!settings.get(i).equals(key)) {
                kept.add(settings.get(i));
                kept.add(settings.get(i + 1));
            }
        }
        return kept;
    }

    @Test
    void rejectsAMissingOrRelativeUrl() {
        assertInvalid(without(finder(), "http.url"), "cascade.providers.finder.http.url", "required");
        assertInvalid(with(finder(), "http.url", "/lookup?first={first_name}"), "http.url", "absolute http(s)");
        assertInvalid(with(finder(), "http.url", "ftp://vendor.example/{email}"), "http.url", "absolute http(s)");
        assertInvalid(with(finder(), "http.url", "https://vendor example/x"), "http.url");
    }

    @Test
    void rejectsMissingOrUnknownCapabilities() {
        assertInvalid(without(finder(), "http.capabilities"), "http.capabilities", "required");
        assertInvalid(with(finder(), "http.capabilities", "email,fax"), "http.capabilities", "fax");
    }

    @Test
    void rejectsUnknownMapFieldsAndBadPointers() {
        assertInvalid(with(finder(), "http.map.emial", "/data/email"), "http.map.emial", "not a known field");
        assertInvalid(with(finder(), "http.map.email", "data.email"), "http.map.email", "not a JSON pointer");
    }

    @Test
    void rejectsAStatusValueThatIsNotAGatewayStatus() {
        assertInvalid(with(finder(), "http.status-values.catch_all", "maybe"), "http.status-values.catch_all", "maybe");
    }

    @Test
    void rejectsACapabilityWithoutItsMapping() {
        assertInvalid(without(finder(), "http.map.email"), "http.map.email or", "emails", "capability email");
        assertInvalid(with(finder(), "http.capabilities", "email,verify"), "http.map.verdict", "capability verify");
    }

    @Test
    void rejectsUnknownPlaceholders() {
        assertInvalid(
                with(finder(), "http.url", vendor.baseUrl() + "/lookup?first={firstname}"), "http.url", "{firstname}");
        assertInvalid(with(finder(), "http.headers.X-Key", "{apikey}"), "http.headers.X-Key", "{apikey}");
    }

    @Test
    void rejectsABodyThatIsNotJson() {
        assertInvalid(with(poster(), "http.body", "{\"name\":{full_name}}"), "http.body", "not JSON");
        assertInvalid(with(poster(), "http.body", "{\"name\":\"{full_name}\"} trailing"), "http.body", "not JSON");
    }

    @Test
    void rejectsOtherBadSettings() {
        assertInvalid(with(finder(), "http.method", "TRACE"), "http.method", "TRACE");
        assertInvalid(with(finder(), "http.miss-statuses", "404,1000"), "http.miss-statuses", "1000");
        assertInvalid(with(finder(), "base-url", "https://vendor.example"), "base-url", "http.url");
    }

    @Test
    void lineTypesBecomeHints() {
        assertThat(DeclarativeProvider.lineType("MOBILE")).isEqualTo("mobile");
        assertThat(DeclarativeProvider.lineType("fixed-line")).isEqualTo("landline");
        assertThat(DeclarativeProvider.lineType("VoIP")).isEqualTo("voip");
        assertThat(DeclarativeProvider.lineType("work_direct_phone")).isNull();
    }
}
