package dev.cascade.waterfall;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.VendorStubs;

/**
 * The result cache honours a pinned waterfall (issue 13 item 6): a request naming its providers is answered from the
 * cache only by a result those providers produced; otherwise the providers it named are asked.
 */
@QuarkusTest
class CachePinnedWaterfallTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private WireMockServer vendors;
    private Tenant tenant;

    @BeforeEach
    void setUp() {
        vendors = VendorStubs.server();
        tenant = Gateway.newTenant("pinned-cache-" + UUID.randomUUID());
        VendorWaterfallTest.resetBreakers();
    }

    @Test
    void aPinnedProviderIsAskedRatherThanServedFromAnotherProvidersCachedResult() {
        String first = "Pinned" + UUID.randomUUID().toString().substring(0, 8);
        vendors.stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(okJson("{\"data\":{\"first_name\":\"" + first + "\",\"last_name\":\"Ng\","
                        + "\"email\":\"hunter@acme.com\",\"score\":90,\"domain\":\"acme.com\",\"accept_all\":false,"
                        + "\"verification\":{\"date\":null,\"status\":\"valid\"}},\"meta\":{}}")));
        vendors.stubFor(post(urlPathEqualTo("/prospeo/enrich-person"))
                .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)))
                .willReturn(okJson("{\"error\":false,\"person\":{\"first_name\":\"" + first + "\",\"last_name\":"
                        + "\"Ng\",\"email\":{\"status\":\"VERIFIED\",\"revealed\":true,\"email\":\"prospeo@acme.com\"}},"
                        + "\"company\":{\"name\":\"Acme\",\"domain\":\"acme.com\"}}")));
        RequestPatternBuilder hunterCalls =
                getRequestedFor(urlPathEqualTo("/hunter/v2/email-finder")).withQueryParam("first_name", equalTo(first));
        RequestPatternBuilder prospeoCalls = postRequestedFor(urlPathEqualTo("/prospeo/enrich-person"))
                .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)));

        JsonPath byHunter = runOne(first, List.of("t-hunter"));
        assertThat(byHunter.getString("task.result.source.email")).isEqualTo("t-hunter");
        vendors.verify(1, hunterCalls);

        // Pinning the provider that produced the cached result: served from the cache, Hunter not asked again.
        JsonPath again = runOne(first, List.of("t-hunter"));
        assertThat(again.getString("task.trace[0].provider")).isEqualTo("cache");
        assertThat(again.getString("task.result.primary_email")).isEqualTo("hunter@acme.com");
        vendors.verify(1, hunterCalls);

        // Pinning another provider: Hunter's cached answer is not Prospeo's, so Prospeo is asked.
        JsonPath byProspeo = runOne(first, List.of("t-prospeo"));
        assertThat(byProspeo.getString("task.trace[0].provider")).isEqualTo("t-prospeo");
        assertThat(byProspeo.getString("task.result.primary_email")).isEqualTo("prospeo@acme.com");
        assertThat(byProspeo.getString("task.result.source.email")).isEqualTo("t-prospeo");
        vendors.verify(1, prospeoCalls);
        vendors.verify(1, hunterCalls);
    }

    @Test
    void aCachedMissIsAnAnswerOnlyWhenEveryPinnedProviderWasAsked() {
        String first = "Unfound" + UUID.randomUUID().toString().substring(0, 8);
        // Hunter finds the email; nobody has a phone. `full` caches the email with "no phone" from Prospeo alone.
        vendors.stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(okJson("{\"data\":{\"first_name\":\"" + first + "\",\"last_name\":\"Ng\","
                        + "\"email\":\"unfound@acme.com\",\"score\":90,\"domain\":\"acme.com\",\"accept_all\":false,"
                        + "\"verification\":{\"date\":null,\"status\":\"valid\"}},\"meta\":{}}")));
        vendors.stubFor(post(urlPathEqualTo("/prospeo/enrich-person"))
                .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)))
                .willReturn(
                        okJson("{\"error\":true,\"error_code\":\"NO_MATCH\"}").withStatus(400)));
        vendors.stubFor(get(urlPathEqualTo("/pdl/v5/person/enrich"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(okJson("{\"status\":200,\"data\":{\"first_name\":\"" + first + "\",\"last_name\":\"ng\","
                        + "\"mobile_phone\":\"+1 415 555 0134\",\"phone_numbers\":[]}}")));
        RequestPatternBuilder pdlCalls =
                getRequestedFor(urlPathEqualTo("/pdl/v5/person/enrich")).withQueryParam("first_name", equalTo(first));

        runFull(first, List.of("t-prospeo"));
        JsonPath sameWaterfall = runFull(first, List.of("t-prospeo"));
        assertThat(sameWaterfall.getString("task.trace[0].provider")).isEqualTo("cache");

        // PDL was never asked for the phone: "no phone" is not its answer.
        JsonPath pinsPdl = runFull(first, List.of("t-pdl"));
        assertThat(pinsPdl.getList("task.trace.provider")).contains("t-pdl").doesNotContain("cache");
        assertThat(pinsPdl.getList("task.result.personal_phone_numbers")).containsExactly("+14155550134");
        vendors.verify(1, pdlCalls);
    }

    private JsonPath runFull(String first, List<String> phones) {
        return run("full", first, Map.of("email", List.of("t-hunter"), "phone", phones));
    }

    private JsonPath runOne(String first, List<String> emails) {
        return run("partial", first, Map.of("email", emails));
    }

    private JsonPath run(String type, String first, Map<String, Object> waterfall) {
        Map<String, Object> body = new HashMap<>();
        body.put("enrichment_type", type);
        body.put("contacts", List.of(Map.of("first_name", first, "last_name", "Ng", "company_domain", "acme.com")));
        body.put("waterfall", waterfall);
        JsonPath submitted = tenant.submitForBody(body);
        tenant.awaitTerminal(submitted.getString("workflow_id"), WAIT);
        return tenant.task(submitted.getString("task_ids[0]"));
    }
}
