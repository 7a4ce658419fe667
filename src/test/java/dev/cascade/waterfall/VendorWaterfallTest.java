package dev.cascade.waterfall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.VendorStubs;

/**
 * The waterfall end to end through the API with real adapters against loopback vendors speaking their wire formats:
 * fall-through, verification, status choice, phone normalisation, concurrency of `full`, prospecting, the cache,
 * override validation and the trace. Each test uses its own first names, so stubs never collide.
 */
@QuarkusTest
class VendorWaterfallTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private WireMockServer vendors;
    private Tenant tenant;

    @BeforeEach
    void setUp() {
        vendors = VendorStubs.server();
        tenant = Gateway.newTenant("vendors-" + UUID.randomUUID());
        resetBreakers();
    }

    static void resetBreakers() {
        for (String name : List.of("t-hunter", "t-prospeo", "t-pdl", "t-apollo", "t-zerobounce", "t-http")) {
            given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .post("/api/v1/admin/providers/" + name + "/circuit/reset")
                    .then()
                    .statusCode(200);
        }
    }

    // ---- vendor answers, in each vendor's documented format ------------------------------------------------

    private void hunterFinds(String first, String email, String verification) {
        vendors.stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(okJson("{\"data\":{\"first_name\":\"" + first + "\",\"last_name\":\"Ng\",\"email\":"
                        + (email == null ? "null" : "\"" + email + "\"") + ",\"score\":"
                        + (email == null ? "null" : "90") + ",\"domain\":\"acme.com\",\"accept_all\":false,"
                        + "\"position\":\"CTO\",\"twitter\":null,\"linkedin_url\":null,\"phone_number\":null,"
                        + "\"company\":\"Acme\",\"sources\":[],\"verification\":{\"date\":null,\"status\":"
                        + (verification == null ? "null" : "\"" + verification + "\"") + "}},"
                        + "\"meta\":{\"params\":{\"first_name\":\"" + first + "\"}}}")));
    }

    private void hunterAnswers(String first, int status, String body, int delayMs) {
        vendors.stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body)
                        .withFixedDelay(delayMs)));
    }

    private void prospeoFinds(String first, String email, String mobile, String mobileCountry) {
        String mobileJson = mobile == null
                ? "{\"status\":\"UNAVAILABLE\",\"revealed\":false}"
                : "{\"status\":\"VERIFIED\",\"revealed\":true,\"mobile\":\"" + mobile + "\",\"mobile_country_code\":\""
                        + mobileCountry + "\"}";
        vendors.stubFor(post(urlPathEqualTo("/prospeo/enrich-person"))
                .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)))
                .willReturn(okJson("{\"error\":false,\"free_enrichment\":false,\"person\":{\"person_id\":\"p1\","
                                + "\"first_name\":\"" + first + "\",\"last_name\":\"Ng\",\"full_name\":\"" + first
                                + " Ng\","
                                + "\"current_job_title\":\"CTO\",\"email\":"
                                + (email == null
                                        ? "{\"status\":\"UNAVAILABLE\",\"revealed\":false}"
                                        : "{\"status\":\"VERIFIED\",\"revealed\":true,\"email\":\"" + email + "\"}")
                                + ",\"mobile\":" + mobileJson + "},"
                                + "\"company\":{\"name\":\"Acme\",\"domain\":\"acme.com\"}}")
                        .withFixedDelay(0)));
    }

    private void prospeoMisses(String first) {
        vendors.stubFor(post(urlPathEqualTo("/prospeo/enrich-person"))
                .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":true,\"error_code\":\"NO_MATCH\"}")));
    }

    private void zeroBounceSays(String email, String status, String subStatus) {
        vendors.stubFor(
                get(urlPathEqualTo("/zerobounce/v2/validate"))
                        .withQueryParam("email", equalTo(email))
                        .willReturn(
                                okJson(
                                        "{\"address\":\"" + email + "\",\"status\":\"" + status + "\",\"sub_status\":\""
                                                + subStatus
                                                + "\",\"free_email\":false,\"did_you_mean\":null,\"account\":\"x\","
                                                + "\"domain\":\"acme.com\",\"mx_found\":\"true\",\"processed_at\":\"2025-01-10 10:00:00.000\"}")));
    }

    private void acmeFinds(String first, String email, String quality) {
        vendors.stubFor(get(urlPathEqualTo("/acme/lookup"))
                .withQueryParam("first", equalTo(first))
                .willReturn(okJson("{\"result\":{\"email\":\"" + email + "\",\"quality\":\"" + quality
                        + "\",\"title\":\"Head of Data\"}}")));
    }

    private void pdlFinds(String first, String mobile, List<String> others) {
        StringBuilder numbers = new StringBuilder();
        for (String other : others) {
            numbers.append(numbers.length() == 0 ? "" : ",")
                    .append('"')
                    .append(other)
                    .append('"');
        }
        vendors.stubFor(get(urlPathEqualTo("/pdl/v5/person/enrich"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(okJson("{\"status\":200,\"likelihood\":8,\"data\":{\"full_name\":\"" + first + " ng\","
                        + "\"first_name\":\"" + first + "\",\"last_name\":\"ng\",\"job_title\":\"cto\","
                        + "\"work_email\":null,\"personal_emails\":[],\"mobile_phone\":"
                        + (mobile == null ? "null" : "\"" + mobile + "\"") + ",\"phone_numbers\":[" + numbers
                        + "]}}")));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Map<String, Object> contact(String first) {
        return Map.of("first_name", first, "last_name", "Ng", "company_domain", "acme.com");
    }

    private JsonPath runOne(String type, Map<String, Object> contact, Map<String, Object> waterfall) {
        Map<String, Object> body = new HashMap<>();
        body.put("enrichment_type", type);
        body.put("contacts", List.of(contact));
        if (waterfall != null) {
            body.put("waterfall", waterfall);
        }
        JsonPath submitted = tenant.submitForBody(body);
        String workflowId = submitted.getString("workflow_id");
        tenant.awaitTerminal(workflowId, WAIT);
        return tenant.task(submitted.getString("task_ids[0]"));
    }

    private static List<String> steps(JsonPath task) {
        List<String> steps = new ArrayList<>();
        for (Map<String, Object> step : task.<Map<String, Object>>getList("task.trace")) {
            steps.add(step.get("provider") + "/" + step.get("capability") + "/" + step.get("outcome")
                    + (step.get("detail") == null ? "" : "/" + step.get("detail")));
        }
        return steps;
    }

    // ---- behaviour -------------------------------------------------------------------------------------------

    @Test
    void fallsThroughToTheNextProviderOn503() {
        hunterAnswers("Fallthrough", 503, "{\"errors\":[{\"id\":\"server_error\",\"code\":503}]}", 0);
        prospeoFinds("Fallthrough", "fallthrough@acme.com", null, null);

        JsonPath task = runOne(
                "partial",
                contact("Fallthrough"),
                Map.of("email", List.of("t-hunter", "t-prospeo"), "verify", "t-zerobounce"));

        assertThat(task.getString("task.status")).isEqualTo("completed");
        assertThat(task.getString("task.result.primary_email")).isEqualTo("fallthrough@acme.com");
        assertThat(task.getString("task.result.primary_email_status")).isEqualTo("reliable");
        assertThat(task.getString("task.result.source.email")).isEqualTo("t-prospeo");
        // Hunter's 503 is retried (twice) before the waterfall moves on; Prospeo's VERIFIED needs no verifier.
        assertThat(steps(task))
                .containsExactly("t-hunter/email/error/HTTP 503 after 3 attempts", "t-prospeo/email/hit");
        vendors.verify(
                3,
                getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo("Fallthrough")));
    }

    @Test
    void aSlowProviderTimesOutAndTheNextOneAnswers() {
        hunterAnswers("Slowpoke", 200, "{\"data\":{\"email\":\"late@acme.com\"}}", 2500);
        prospeoFinds("Slowpoke", "slowpoke@acme.com", null, null);

        JsonPath task = runOne("partial", contact("Slowpoke"), Map.of("email", List.of("t-hunter", "t-prospeo")));

        assertThat(task.getString("task.result.primary_email")).isEqualTo("slowpoke@acme.com");
        assertThat(steps(task)).containsExactly("t-hunter/email/error/timeout", "t-prospeo/email/hit");
    }

    @Test
    void anEmailTheVerifierCallsInvalidIsNeverReturned() {
        acmeFinds("Bounce", "bounce@acme.com", "unrecognised");
        zeroBounceSays("bounce@acme.com", "invalid", "mailbox_not_found");
        hunterFinds("Bounce", "b.ng@acme.com", "valid");

        JsonPath task = runOne(
                "partial", contact("Bounce"), Map.of("email", List.of("t-http", "t-hunter"), "verify", "t-zerobounce"));

        assertThat(task.getString("task.result.primary_email")).isEqualTo("b.ng@acme.com");
        assertThat(task.getString("task.result.primary_email_status")).isEqualTo("reliable");
        assertThat(task.getList("task.result.other_emails")).doesNotContain("bounce@acme.com");
        assertThat(steps(task)).containsExactly("t-http/email/hit", "t-zerobounce/verify/hit", "t-hunter/email/hit");
    }

    @Test
    void theBestRiskyCandidateWinsWhenNoneIsReliable() {
        acmeFinds("Catchall", "catchall@acme.com", "unrecognised");
        zeroBounceSays("catchall@acme.com", "catch-all", "");
        hunterFinds("Catchall", "c.ng@acme.com", null);
        zeroBounceSays("c.ng@acme.com", "unknown", "antispam_system");

        JsonPath task = runOne(
                "partial",
                contact("Catchall"),
                Map.of("email", List.of("t-http", "t-hunter"), "verify", "t-zerobounce"));

        assertThat(task.getString("task.result.primary_email")).isEqualTo("catchall@acme.com");
        assertThat(task.getString("task.result.primary_email_status")).isEqualTo("risky");
        assertThat(task.getList("task.result.other_emails")).containsExactly("c.ng@acme.com");
        assertThat(task.getString("task.result.source.email")).isEqualTo("t-http");
    }

    @Test
    void stopOnRiskyStopsAtTheFirstRiskyEmailWhereTheDefaultGoesOnForAReliableOne() {
        for (String first : List.of("Goeson", "Stopsearly")) {
            acmeFinds(first, first.toLowerCase(java.util.Locale.ROOT) + "@acme.com", "unrecognised");
            zeroBounceSays(first.toLowerCase(java.util.Locale.ROOT) + "@acme.com", "catch-all", "");
            hunterFinds(first, "x." + first.toLowerCase(java.util.Locale.ROOT) + "@acme.com", "valid");
        }
        // Default `stop_on` (reliable): a risky email does not stop the waterfall.
        JsonPath byDefault = runOne(
                "partial", contact("Goeson"), Map.of("email", List.of("t-http", "t-hunter"), "verify", "t-zerobounce"));
        assertThat(byDefault.getString("task.result.primary_email")).isEqualTo("x.goeson@acme.com");
        assertThat(byDefault.getString("task.result.primary_email_status")).isEqualTo("reliable");
        assertThat(steps(byDefault))
                .containsExactly("t-http/email/hit", "t-zerobounce/verify/hit", "t-hunter/email/hit");

        // `stop_on: risky` in the request: the first risky email ends it, Hunter is never asked.
        JsonPath risky = runOne(
                "partial",
                contact("Stopsearly"),
                Map.of("email", List.of("t-http", "t-hunter"), "verify", "t-zerobounce", "stop_on", "risky"));
        assertThat(risky.getString("task.result.primary_email")).isEqualTo("stopsearly@acme.com");
        assertThat(risky.getString("task.result.primary_email_status")).isEqualTo("risky");
        assertThat(steps(risky)).containsExactly("t-http/email/hit", "t-zerobounce/verify/hit");
        vendors.verify(
                0,
                getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo("Stopsearly")));
    }

    @Test
    void vendorCallsNameTheGatewayInTheirUserAgent() {
        hunterFinds("Agent", "agent@acme.com", "valid");
        runOne("partial", contact("Agent"), Map.of("email", List.of("t-hunter")));
        vendors.verify(
                1,
                getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo("Agent"))
                        .withHeader("User-Agent", equalTo("Cascade/0.1")));
    }

    @Test
    void theDeclarativeProviderMapsTheVendorAnswerFromConfigurationAlone() {
        acmeFinds("Declared", "declared@acme.com", "deliverable");

        JsonPath task = runOne("partial", contact("Declared"), Map.of("email", List.of("t-http")));

        assertThat(task.getString("task.result.primary_email")).isEqualTo("declared@acme.com");
        assertThat(task.getString("task.result.primary_email_status")).isEqualTo("reliable");
        assertThat(task.getString("task.result.prospect.title")).isEqualTo("Head of Data");
        vendors.verify(getRequestedFor(urlPathEqualTo("/acme/lookup"))
                .withQueryParam("domain", equalTo("acme.com"))
                .withHeader("Authorization", equalTo("Bearer t-http-secret-key")));
    }

    @Test
    void phonesAreNormalisedToE164AndTypedFromNationalFormats() {
        prospeoFinds("Dialler", null, "07400 123456", "GB");
        pdlFinds("Dialler2", "(650) 253-0000", List.of("650.253.0000", "not a number"));

        JsonPath fromProspeo = runOne("phone_only", contact("Dialler"), Map.of("phone", List.of("t-prospeo", "t-pdl")));
        assertThat(fromProspeo.getList("task.result.personal_phone_numbers")).containsExactly("+447400123456");
        assertThat(fromProspeo.getString("task.result.phones[0].line_type")).isEqualTo("mobile");
        assertThat(fromProspeo.getString("task.result.source.phone")).isEqualTo("t-prospeo");

        JsonPath fromPdl = runOne("phone_only", contact("Dialler2"), Map.of("phone", List.of("t-pdl")));
        // One US number written two ways is one number; the line that is no number is dropped. The numbering plan
        // cannot type a US number, so PDL's `mobile_phone` typing is kept.
        assertThat(fromPdl.getList("task.result.personal_phone_numbers")).containsExactly("+16502530000");
        assertThat(fromPdl.getString("task.result.phones[0].line_type")).isEqualTo("mobile");
        assertThat(fromPdl.getString("task.result.phones[0].source")).isEqualTo("t-pdl");
    }

    @Test
    void fullRunsTheEmailAndPhoneWaterfallsAtTheSameTime() {
        hunterAnswers(
                "Parallel",
                200,
                "{\"data\":{\"email\":\"parallel@acme.com\",\"verification\":{\"status\":\"valid\"}},\"meta\":{}}",
                700);
        vendors.stubFor(get(urlPathEqualTo("/pdl/v5/person/enrich"))
                .withQueryParam("first_name", equalTo("Parallel"))
                .willReturn(okJson("{\"status\":200,\"likelihood\":9,\"data\":{\"mobile_phone\":\"+16502530001\"}}")
                        .withFixedDelay(700)));

        JsonPath task =
                runOne("full", contact("Parallel"), Map.of("email", List.of("t-hunter"), "phone", List.of("t-pdl")));

        assertThat(task.getString("task.result.primary_email")).isEqualTo("parallel@acme.com");
        assertThat(task.getList("task.result.personal_phone_numbers")).containsExactly("+16502530001");
        LoggedRequest email = vendors.findAll(getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo("Parallel")))
                .get(0);
        LoggedRequest phone = vendors.findAll(getRequestedFor(urlPathEqualTo("/pdl/v5/person/enrich"))
                        .withQueryParam("first_name", equalTo("Parallel")))
                .get(0);
        // Asked one after the other, the second request would arrive after the first one's 700 ms answer.
        long apart =
                Math.abs(email.getLoggedDate().getTime() - phone.getLoggedDate().getTime());
        assertThat(apart).isLessThan(600);
    }

    @Test
    void prospectingDeduplicatesAcrossProvidersAndCaps() {
        // Apollo's People API Search: no contact data, no profile URL, masked last names (VENDORS.md §4c). Two people
        // with one first name and title are two people: nothing says they are one.
        vendors.stubFor(
                post(urlPathEqualTo("/apollo/api/v1/mixed_people/api_search"))
                        .withRequestBody(matchingJsonPath("$.q_organization_domains_list[0]", equalTo("dedupe.io")))
                        .willReturn(
                                okJson(
                                        "{\"total_entries\":3,\"people\":["
                                                + "{\"id\":\"a1\",\"first_name\":\"Bo\",\"last_name_obfuscated\":\"Ch***n\",\"title\":\"CTO\"},"
                                                + "{\"id\":\"a2\",\"first_name\":\"Mia\",\"last_name_obfuscated\":\"Wo***g\",\"title\":\"Engineer\"},"
                                                + "{\"id\":\"a3\",\"first_name\":\"Mia\",\"last_name_obfuscated\":\"Ke***y\",\"title\":\"Engineer\"}]}")));
        // A second discovery vendor, declared in configuration only (`t-people`): Ann twice (one profile written two
        // ways), then three more.
        vendors.stubFor(get(urlPathEqualTo("/people/search"))
                .withQueryParam("domain", equalTo("dedupe.io"))
                .willReturn(okJson("{\"people\":["
                        + "{\"first\":\"Ann\",\"last\":\"Lee\",\"role\":\"CEO\",\"profile\":\"https://www.linkedin.com/in/ann-lee\"},"
                        + "{\"first\":\"Ann\",\"last\":\"Lee\",\"role\":\"Chief Executive\",\"profile\":\"http://linkedin.com/in/Ann-Lee/\"},"
                        + "{\"first\":\"Cy\",\"last\":\"Doe\",\"role\":\"CFO\",\"profile\":\"https://www.linkedin.com/in/cy-doe\"},"
                        + "{\"first\":\"Di\",\"last\":\"Roe\",\"role\":\"COO\",\"profile\":\"https://www.linkedin.com/in/di-roe\"}"
                        + "]}")));

        Map<String, Object> body = Map.of(
                "enrichment_type",
                "prospecting_only",
                "max_prospects_per_company",
                5,
                "contacts",
                List.of(Map.of("company_domain", "dedupe.io")),
                "waterfall",
                Map.of("prospect", List.of("t-apollo", "t-people", "sim-discovery")));
        JsonPath submitted = tenant.submitForBody(body);
        tenant.awaitTerminal(submitted.getString("workflow_id"), WAIT);
        JsonPath results = tenant.results(submitted.getString("workflow_id"));

        // §5.3: one result item per discovered prospect, each with the company contact's task id.
        List<Map<String, Object>> rows = results.getList("workflow.results");
        List<String> found = rows.stream()
                .map(r -> ((Map<?, ?>) r.get("prospect")).get("first_name") + "@"
                        + ((Map<?, ?>) r.get("source")).get("prospect"))
                .toList();
        // Both Mias kept; Ann once; the cap of 5 reached with Cy, so Di and sim-discovery are never taken.
        assertThat(found).containsExactly("Bo@t-apollo", "Mia@t-apollo", "Mia@t-apollo", "Ann@t-people", "Cy@t-people");
        assertThat(rows)
                .allSatisfy(row -> assertThat(row.get("task_id")).isEqualTo(submitted.getString("task_ids[0]")));
        assertThat(results.getDouble("workflow.credits_charged")).isEqualTo(5.0);
        JsonPath task = tenant.task(submitted.getString("task_ids[0]"));
        assertThat(steps(task)).containsExactly("t-apollo/prospect/hit", "t-people/prospect/hit");
    }

    @Test
    void aResultWithAFailedWaterfallIsNotCached() {
        hunterFinds("Halfway", "halfway@acme.com", "valid");
        vendors.stubFor(get(urlPathEqualTo("/pdl/v5/person/enrich"))
                .withQueryParam("first_name", equalTo("Halfway"))
                .willReturn(aResponse().withStatus(503)));
        Map<String, Object> waterfall = Map.of("email", List.of("t-hunter"), "phone", List.of("t-pdl"));

        JsonPath first = runOne("full", contact("Halfway"), waterfall);
        assertThat(first.getString("task.status")).isEqualTo("completed");
        assertThat(first.getString("task.result.primary_email")).isEqualTo("halfway@acme.com");
        assertThat(first.getList("task.result.personal_phone_numbers")).isEmpty();

        // The phone providers were down: the next request asks again instead of being told "no phone" for 30 days.
        JsonPath second = runOne("full", contact("Halfway"), waterfall);
        assertThat(second.getList("task.trace.provider"))
                .doesNotContain("cache")
                .contains("t-hunter", "t-pdl");
    }

    @Test
    void aFreshCachedResultCallsNoProvider() {
        hunterFinds("Cached", "cached@acme.com", "valid");
        Map<String, Object> waterfall = Map.of("email", List.of("t-hunter"));
        JsonPath first = runOne("partial", contact("Cached"), waterfall);
        assertThat(steps(first)).containsExactly("t-hunter/email/hit");
        var hunterCalls = getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder"))
                .withQueryParam("first_name", equalTo("Cached"));
        vendors.verify(1, hunterCalls);

        JsonPath second = runOne("partial", contact("Cached"), waterfall);

        assertThat(second.getString("task.result.primary_email")).isEqualTo("cached@acme.com");
        assertThat(second.getString("task.result.source.email")).isEqualTo("t-hunter");
        assertThat(second.getString("task.trace[0].provider")).isEqualTo("cache");
        assertThat(second.getString("task.trace[0].outcome")).isEqualTo("cache_hit");
        assertThat(second.getList("task.trace")).hasSize(1);
        vendors.verify(1, hunterCalls);

        // `max_cache_age_days: 0` never uses the cache.
        Map<String, Object> body = new HashMap<>();
        body.put("contacts", List.of(contact("Cached")));
        body.put("waterfall", waterfall);
        body.put("max_cache_age_days", 0);
        JsonPath submitted = tenant.submitForBody(body);
        tenant.awaitTerminal(submitted.getString("workflow_id"), WAIT);
        assertThat(steps(tenant.task(submitted.getString("task_ids[0]")))).containsExactly("t-hunter/email/hit");
        vendors.verify(2, hunterCalls);

        // Another organisation never sees this one's cache.
        Tenant other = Gateway.newTenant("vendors-other-" + UUID.randomUUID());
        JsonPath submittedByOther =
                other.submitForBody(Map.of("contacts", List.of(contact("Cached")), "waterfall", waterfall));
        other.awaitTerminal(submittedByOther.getString("workflow_id"), WAIT);
        assertThat(other.task(submittedByOther.getString("task_ids[0]")).getString("task.trace[0].provider"))
                .isEqualTo("t-hunter");
    }

    @Test
    void anOverrideNamingAnUnknownDisabledOrIncapableProviderIsRefusedAndCreatesNothing() {
        long before = Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId());
        given().auth()
                .oauth2(tenant.key())
                .contentType("application/json")
                .body(Map.of(
                        "contacts",
                        List.of(contact("Override")),
                        "waterfall",
                        Map.of(
                                "email",
                                List.of("t-hunter", "nope", "t-zerobounce", "t-disabled"),
                                "phone",
                                List.of("t-nokey"),
                                "verify",
                                "t-prospeo")))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(422)
                .body("detail.loc", hasItem(List.of("body", "waterfall", "email", 1)))
                .body("detail.loc", hasItem(List.of("body", "waterfall", "email", 2)))
                .body("detail.loc", hasItem(List.of("body", "waterfall", "email", 3)))
                .body("detail.loc", hasItem(List.of("body", "waterfall", "phone", 0)))
                .body("detail.loc", hasItem(List.of("body", "waterfall", "verify")));
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId()))
                .isEqualTo(before);
        vendors.verify(
                0,
                postRequestedFor(urlPathEqualTo("/prospeo/enrich-person"))
                        .withRequestBody(matchingJsonPath("$.data.first_name", equalTo("Override"))));
    }

    @Test
    void theTraceListsEveryStepInOrderWithItsOutcome() {
        hunterAnswers("Tracer", 200, "{\"data\":{\"email\":null,\"score\":null},\"meta\":{}}", 0);
        prospeoMisses("Tracer");
        acmeFinds("Tracer", "tracer@acme.com", "unrecognised");
        zeroBounceSays("tracer@acme.com", "valid", "");

        JsonPath task = runOne(
                "partial",
                contact("Tracer"),
                Map.of("email", List.of("t-hunter", "t-prospeo", "t-http"), "verify", "t-zerobounce"));

        assertThat(steps(task))
                .containsExactly(
                        "t-hunter/email/miss", "t-prospeo/email/miss", "t-http/email/hit", "t-zerobounce/verify/hit");
        for (Map<String, Object> step : task.<Map<String, Object>>getList("task.trace")) {
            assertThat(((Number) step.get("latency_ms")).longValue()).isGreaterThanOrEqualTo(0);
        }
        assertThat(task.getString("task.result.primary_email_status")).isEqualTo("reliable");
    }
}
