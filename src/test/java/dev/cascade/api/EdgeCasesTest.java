package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;

/** Odd and hostile requests get clear errors, never a 500. */
@QuarkusTest
class EdgeCasesTest {

    @Test
    void operatorApiRefusesClientKeysAndBadTokens() {
        given().when().get("/api/v1/admin/organizations").then().statusCode(401);
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .get("/api/v1/admin/organizations")
                .then()
                .statusCode(401);
        given().auth().oauth2("wrong").get("/api/v1/admin/organizations").then().statusCode(401);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/organizations")
                .then()
                .statusCode(200);
    }

    @Test
    void operatorApiRefusesHostileInputWithoutA500() {
        for (String body : new String[] {
            "{\"name\":\"a\\u0000b\"}",
            "{\"name\":\"ok\",\"credits\":1e400}",
            "{\"name\":\"ok\",\"credits\":-1}",
            "{\"name\":\"\"}",
            "[1,2]",
            "{\"name\":",
            "{\"name\":\"ok\",\"credits\":\"ten\"}"
        }) {
            given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .contentType(ContentType.JSON)
                    .body(body)
                    .post("/api/v1/admin/organizations")
                    .then()
                    .statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(422)))
                    .body("detail", notNullValue());
        }
        String org = Gateway.newTenant("edge-" + UUID.randomUUID()).orgId();
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body("{\"expires_at\":\"+999999-01-01T00:00:00Z\"}")
                .post("/api/v1/admin/organizations/" + org + "/api-keys")
                .then()
                .statusCode(422);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/organizations/not-a-uuid")
                .then()
                .statusCode(404);
    }

    @Test
    void expiredKeysAreRefused() {
        String org = Gateway.newTenant("expiry-" + UUID.randomUUID()).orgId();
        String key = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body("{\"expires_at\":\"2020-01-01T00:00:00Z\"}")
                .post("/api/v1/admin/organizations/" + org + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
        given().auth()
                .oauth2(key)
                .get("/api/v1/public/auth/validate-key")
                .then()
                .statusCode(401);
    }

    @Test
    void validateKeyNamesTheOrganisation() {
        var tenant = Gateway.newTenant("validate-" + UUID.randomUUID());
        given().auth()
                .oauth2(tenant.key())
                .get("/api/v1/public/auth/validate-key")
                .then()
                .statusCode(200)
                .body("valid", equalTo(true))
                .body("organization_id", equalTo(tenant.orgId()))
                .body("key_id", notNullValue());
    }

    @Test
    void oddRequestsGetJsonErrors() {
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .get("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(405)
                .body("detail", notNullValue());
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .queryParam("workflow_id", "public_bulk_" + UUID.randomUUID())
                .queryParam("include_results", "maybe")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(422);
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .queryParam("workflow_id", "x".repeat(2000))
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(404);
        String deep = "[".repeat(5000) + "]".repeat(5000);
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .contentType(ContentType.JSON)
                .body("{\"contacts\":" + deep + "}")
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(422)));
        given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .contentType(ContentType.JSON)
                .body("null")
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(422);
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        var tenant = Gateway.newTenant("metrics-" + UUID.randomUUID());
        tenant.awaitTerminal(
                tenant.submit(java.util.Map.of("contacts", java.util.List.of(Gateway.person(1)))),
                java.time.Duration.ofSeconds(30));
        // An api process's readiness leaves the broker out (docs/operations.md, "Readiness and the broker");
        // its channels still count for liveness.
        given().get(Gateway.management("/q/health/ready"))
                .then()
                .statusCode(200)
                .body(containsString("Reactive PostgreSQL connections health check"))
                .body(not(containsString("tasks-in")))
                .body(not(containsString("results-in")));
        given().get(Gateway.management("/q/health/live"))
                .then()
                .statusCode(200)
                .body(containsString("tasks-in"))
                .body(containsString("results-in"));
        given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .body(containsString("http_server_requests"))
                .body(containsString("cascade_intake_workflows_total"))
                .body(containsString("cascade_waterfall_tasks_seconds_count"));
        given().get(Gateway.management("/q/openapi"))
                .then()
                .statusCode(200)
                .body(containsString("/api/v1/public/enrich/bulk"))
                .body(containsString("BulkRequest"))
                .body(containsString("linkedin_url"))
                .body(containsString("workflow_id"));
    }

    @Test
    void healthMetricsAndOpenApiAreNotOnThePublicPort() {
        for (String path : new String[] {
            "/q/health", "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi", "/q/swagger-ui"
        }) {
            given().get(path).then().statusCode(404);
        }
        given().get(Gateway.management("/q/health/live")).then().statusCode(200);
    }
}
