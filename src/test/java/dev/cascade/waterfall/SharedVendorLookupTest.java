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
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.VendorStubs;

/**
 * One vendor call per contact per vendor (issue 13 item 7): in `full`, a vendor that both waterfalls name and whose
 * one lookup answers emails and phones is called once, and both capabilities use that answer.
 */
@QuarkusTest
class SharedVendorLookupTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private WireMockServer vendors;
    private Tenant tenant;
    private static boolean warm;

    @BeforeEach
    void setUp() {
        vendors = VendorStubs.server();
        tenant = Gateway.newTenant("shared-lookup-" + UUID.randomUUID());
        VendorWaterfallTest.resetBreakers();
        if (!warm) {
            // The first vendor call of a fresh JVM can outlast the test profile's short timeout: pay it here.
            runFull("Warmup" + UUID.randomUUID().toString().substring(0, 8), "t-pdl");
            VendorWaterfallTest.resetBreakers();
            warm = true;
        }
    }

    @Test
    void pdlIsCalledOnceForBothTheEmailAndThePhoneOfAFullTask() {
        String first = "Once" + UUID.randomUUID().toString().substring(0, 8);
        String email = first.toLowerCase(java.util.Locale.ROOT) + "@acme.com";
        vendors.stubFor(get(urlPathEqualTo("/pdl/v5/person/enrich"))
                .withQueryParam("first_name", equalTo(first))
                .willReturn(okJson("{\"status\":200,\"data\":{\"first_name\":\"" + first + "\",\"last_name\":\"ng\","
                        + "\"work_email\":\"" + email + "\",\"job_company_website\":\"acme.com\","
                        + "\"mobile_phone\":\"+1 415 555 0135\",\"phone_numbers\":[]}}")));
        vendors.stubFor(get(urlPathEqualTo("/zerobounce/v2/validate"))
                .withQueryParam("email", equalTo(email))
                .willReturn(okJson("{\"address\":\"" + email + "\",\"status\":\"valid\",\"sub_status\":\"\","
                        + "\"free_email\":false,\"mx_found\":\"true\"}")));

        JsonPath task = runFull(first, "t-pdl");

        assertThat(task.getString("task.status")).as(task.prettify()).isEqualTo("completed");
        assertThat(task.getString("task.result.primary_email")).isEqualTo(email);
        assertThat(task.getList("task.result.personal_phone_numbers")).containsExactly("+14155550135");
        assertThat(task.getString("task.result.source.email")).isEqualTo("t-pdl");
        assertThat(task.getString("task.result.source.phone")).isEqualTo("t-pdl");
        vendors.verify(
                1,
                getRequestedFor(urlPathEqualTo("/pdl/v5/person/enrich")).withQueryParam("first_name", equalTo(first)));
    }

    @Test
    void prospeoIsAskedOnceWithTheMobileAndItsAnswerServesBothCapabilities() {
        String first = "Single" + UUID.randomUUID().toString().substring(0, 8);
        String email = first.toLowerCase(java.util.Locale.ROOT) + "@acme.com";
        vendors.stubFor(
                post(urlPathEqualTo("/prospeo/enrich-person"))
                        .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)))
                        .willReturn(
                                okJson(
                                        "{\"error\":false,\"person\":{\"first_name\":\"" + first + "\",\"last_name\":"
                                                + "\"Ng\",\"email\":{\"status\":\"VERIFIED\",\"revealed\":true,\"email\":\""
                                                + email + "\"},"
                                                + "\"mobile\":{\"status\":\"VERIFIED\",\"revealed\":true,\"mobile\":\"+1 415 555 0136\","
                                                + "\"mobile_country_code\":\"US\"}},\"company\":{\"name\":\"Acme\",\"domain\":\"acme.com\"}}")));

        JsonPath task = runFull(first, "t-prospeo");

        assertThat(task.getString("task.result.primary_email")).isEqualTo(email);
        assertThat(task.getList("task.result.personal_phone_numbers")).containsExactly("+14155550136");
        vendors.verify(
                1,
                postRequestedFor(urlPathEqualTo("/prospeo/enrich-person"))
                        .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first))));
        vendors.verify(
                1,
                postRequestedFor(urlPathEqualTo("/prospeo/enrich-person"))
                        .withRequestBody(matchingJsonPath("$.data.first_name", equalTo(first)))
                        .withRequestBody(matchingJsonPath("$.enrich_mobile", equalTo("true"))));
    }

    private JsonPath runFull(String first, String vendor) {
        Map<String, Object> body = Map.of(
                "enrichment_type",
                "full",
                "contacts",
                List.of(Map.of("first_name", first, "last_name", "Ng", "company_domain", "acme.com")),
                "waterfall",
                Map.of("email", List.of(vendor), "phone", List.of(vendor), "verify", "t-zerobounce"));
        JsonPath submitted = tenant.submitForBody(body);
        tenant.awaitTerminal(submitted.getString("workflow_id"), WAIT);
        return tenant.task(submitted.getString("task_ids[0]"));
    }
}
