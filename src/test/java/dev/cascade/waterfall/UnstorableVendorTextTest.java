package dev.cascade.waterfall;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.VendorStubs;

/**
 * A vendor that answers a NUL or a lone surrogate (as JSON escapes, which every JSON parser accepts) cannot wedge a
 * task: what PostgreSQL refuses is stripped where provider outcomes enter the waterfall, for built-in and declarative
 * adapters alike, so the workflow completes with the cleaned text and the result can even be cached (`jsonb`).
 */
@QuarkusTest
class UnstorableVendorTextTest {

    @Test
    void nulAndLoneSurrogatesFromAVendorAreStrippedAndTheWorkflowCompletes() {
        VendorWaterfallTest.resetBreakers();
        Tenant tenant = Gateway.newTenant("unstorable-" + UUID.randomUUID());
        // The declarative t-http finder, configured in VendorStubs: email, quality and title from /result.
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/acme/lookup"))
                        .withQueryParam("first", equalTo("Nully"))
                        .willReturn(
                                okJson("{\"result\":{\"email\":\"nul\\u0000ly@acme.com\",\"quality\":\"deliverable\","
                                        + "\"title\":\"Head\\u0000 of \\ud800Data\\udc00\"}}")));
        // Hunter: the lone surrogate in the position (the title), the NUL in the company name.
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/hunter/v2/email-finder"))
                        .withQueryParam("first_name", equalTo("Surry"))
                        .willReturn(okJson("{\"data\":{\"first_name\":\"Surry\",\"last_name\":\"Ng\","
                                + "\"email\":\"sur\\udbffry@acme.com\",\"score\":90,\"domain\":\"acme.com\","
                                + "\"accept_all\":false,\"position\":\"C\\ud83d\\ude00TO\\ud83d\",\"twitter\":null,"
                                + "\"linkedin_url\":null,\"phone_number\":null,\"company\":\"Ac\\u0000me\",\"sources\":[],"
                                + "\"verification\":{\"date\":null,\"status\":\"valid\"}},\"meta\":{}}")));

        JsonPath declared = runOne(tenant, "Nully", Map.of("email", List.of("t-http")));
        assertThat(declared.getString("task.status")).as(declared.prettify()).isEqualTo("completed");
        assertThat(declared.getString("task.result.primary_email")).isEqualTo("nully@acme.com");
        assertThat(declared.getString("task.result.prospect.title")).isEqualTo("Head of Data");

        JsonPath hunter = runOne(tenant, "Surry", Map.of("email", List.of("t-hunter")));
        assertThat(hunter.getString("task.status")).as(hunter.prettify()).isEqualTo("completed");
        assertThat(hunter.getString("task.result.primary_email")).isEqualTo("surry@acme.com");
        // A well-formed pair (the emoji) is kept; only the lone half goes.
        assertThat(hunter.getString("task.result.prospect.title")).isEqualTo("C\ud83d\ude00TO");

        // Clean enough for jsonb: both results were cached for the organisation.
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        Gateway.count("SELECT count(*) FROM result_cache WHERE org_id = ?::uuid", tenant.orgId()) == 2);
    }

    private static JsonPath runOne(Tenant tenant, String first, Map<String, Object> waterfall) {
        JsonPath submitted = tenant.submitForBody(Map.of(
                "enrichment_type",
                "partial",
                "waterfall",
                waterfall,
                "contacts",
                List.of(Map.of("first_name", first, "last_name", "Ng", "company_domain", "acme.com"))));
        tenant.awaitTerminal(submitted.getString("workflow_id"), Duration.ofSeconds(30));
        return tenant.task(submitted.getString("task_ids[0]"));
    }
}
