package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** Rate limits per key and per organisation (§10), counted in PostgreSQL. */
@QuarkusTest
class RateLimitTest {

    @Test
    void limitsEachKeyAndTheOrganisationAndSaysSoInHeaders() {
        Tenant tenant = Gateway.newTenant("limits-" + UUID.randomUUID());
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 5, "key_requests_per_minute", 3))
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/rate-limits")
                .then()
                .statusCode(200)
                .body("requests_per_minute", equalTo(5))
                .body("key_requests_per_minute", equalTo(3));
        String secondKey = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "second"))
                .post("/api/v1/admin/organizations/" + tenant.orgId() + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
        // Counters are per minute: start well inside one.
        await().atMost(Duration.ofSeconds(15)).until(() -> LocalTime.now().getSecond() < 45);

        for (int remaining = 2; remaining >= 0; remaining--) {
            given().auth()
                    .oauth2(tenant.key())
                    .get("/api/v1/public/auth/validate-key")
                    .then()
                    .statusCode(200)
                    .header("RateLimit-Limit", "3")
                    .header("RateLimit-Remaining", Integer.toString(remaining))
                    .header("RateLimit-Reset", notNullValue());
        }
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("contacts", List.of(Gateway.person(1))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(429)
                .header("Retry-After", notNullValue())
                .header("RateLimit-Remaining", "0")
                .body("detail", equalTo("Rate limit exceeded"));
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", UUID.fromString(tenant.orgId())))
                .isZero();

        // The other key has its own 3, but the organisation has 5 in all and 3 are spent (the refused request gave
        // its count back).
        for (int remaining = 1; remaining >= 0; remaining--) {
            given().auth()
                    .oauth2(secondKey)
                    .get("/api/v1/public/auth/validate-key")
                    .then()
                    .statusCode(200)
                    .header("RateLimit-Limit", "5")
                    .header("RateLimit-Remaining", Integer.toString(remaining));
        }
        given().auth()
                .oauth2(secondKey)
                .queryParam("workflow_id", "public_bulk_" + UUID.randomUUID())
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(429);
    }

    @Test
    void theOperatorRefusesNonsenseLimits() {
        Tenant tenant = Gateway.newTenant("limits-bad-" + UUID.randomUUID());
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 0))
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/rate-limits")
                .then()
                .statusCode(422);
    }

    @Test
    void everyCountedResponseCarriesTheHeaders() {
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .queryParam("workflow_id", "public_bulk_" + UUID.randomUUID())
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(404)
                .header("RateLimit-Limit", notNullValue())
                .header("RateLimit-Remaining", notNullValue())
                .header("RateLimit-Reset", notNullValue());
    }
}
