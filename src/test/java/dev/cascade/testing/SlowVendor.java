package dev.cascade.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

/**
 * The test profile's `t-slow` provider (Hunter's wire format at {@code /slow}) made to hold every lookup for three
 * seconds and then find nothing: a waterfall full of its calls keeps later task records waiting unstarted, which is
 * what the cancel tests need.
 */
public final class SlowVendor {
    /** A request's `waterfall` option that sends emails to `t-slow` only. */
    public static final Map<String, Object> WATERFALL = Map.of("email", List.of("t-slow"));

    private SlowVendor() {}

    /**
     * Closes `t-slow`'s breaker (a test before may have left it open when its calls timed out on a saturated stub; an
     * open breaker would skip the slow calls and leave the waterfall free) and makes each lookup take three seconds.
     */
    public static void answerSlowly() {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/t-slow/circuit/reset")
                .then()
                .statusCode(200);
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/slow/v2/email-finder"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody(
                                        "{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},"
                                                + "\"meta\":{}}")
                                .withFixedDelay(3000)));
    }
}
