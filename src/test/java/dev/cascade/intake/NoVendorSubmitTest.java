package dev.cascade.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * With no vendor configured and the simulator off (as in production), nothing is served by invented data: every
 * enrichment type that needs a provider is refused at submit with 422 and writes nothing; `none` still works.
 */
@QuarkusTest
@TestProfile(NoVendorProfile.class)
class NoVendorSubmitTest {
    private Tenant tenant;

    @BeforeEach
    void freshTenant() {
        tenant = Gateway.newTenant("no-vendor-" + UUID.randomUUID());
    }

    @Test
    void refusesEveryTypeThatNeedsAProviderWith422AndWritesNothing() {
        Map<String, String> missing = Map.of(
                "partial", "email",
                "phone_only", "phone",
                "prospecting_only", "prospect");
        for (var type : missing.entrySet()) {
            submit(type.getKey())
                    .statusCode(422)
                    .body("detail", hasSize(1))
                    .body("detail[0].type", equalTo("value_error"))
                    .body("detail[0].loc", contains("body", "enrichment_type"))
                    .body("detail[0].input", equalTo(type.getKey()))
                    .body(
                            "detail[0].msg",
                            equalTo("enrichment_type '" + type.getKey() + "' is not available: no " + type.getValue()
                                    + " provider is configured on this gateway"));
        }
        submit("full")
                .statusCode(422)
                .body("detail", hasSize(2))
                .body("detail[0].msg", containsString("no email provider"))
                .body("detail[1].msg", containsString("no phone provider"));
        assertNothingWritten();
        double credits = given().auth()
                .oauth2(tenant.key())
                .get("/api/v1/public/credits/balance")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getDouble("credits");
        assertThat(credits).isEqualTo(100000.0);
    }

    @Test
    void theDefaultTypeIsRefusedToo() {
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("contacts", List.of(Gateway.person(1))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(422)
                .body("detail[0].msg", startsWith("enrichment_type 'partial' is not available"));
        assertNothingWritten();
    }

    @Test
    void acceptsNoneWhichNeedsNoProvider() {
        submit("none").statusCode(200).body("status", equalTo("started"));
    }

    @Test
    void noProviderIsInAnyDefaultOrder() {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/providers")
                .then()
                .statusCode(200)
                .body("providers.name", not(hasItem(startsWith("sim-"))))
                .body("providers.findAll { it.order.size() > 0 }", hasSize(0));
    }

    private ValidatableResponse submit(String type) {
        return given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("enrichment_type", type, "contacts", List.of(Gateway.person(1))))
                .when()
                .post("/api/v1/public/enrich/bulk")
                .then();
    }

    private void assertNothingWritten() {
        UUID org = UUID.fromString(tenant.orgId());
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM tasks WHERE org_id = ?", org))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM lead_lists WHERE org_id = ?", org))
                .isZero();
    }
}
