package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** Every refusal of `POST /enrich/bulk` (seed "Limits and errors", contract §2.1 and §11), and that it writes nothing. */
@QuarkusTest
class BulkValidationTest {
    private Tenant tenant;

    @BeforeEach
    void freshTenant() {
        tenant = Gateway.newTenant("validation-" + UUID.randomUUID());
    }

    @Test
    void rejectsMissingMalformedAndUnknownKeysWith401() {
        for (String header : List.of(
                "",
                "Basic abc",
                "Bearer",
                "Bearer  " + tenant.key(),
                "Bearer clapi_short",
                "Bearer clapi_" + "A".repeat(64),
                "Token " + tenant.key())) {
            var request = given().contentType(ContentType.JSON).body(Map.of("contacts", List.of(Gateway.person(1))));
            if (!header.isEmpty()) {
                request.header("Authorization", header);
            }
            request.when()
                    .post("/api/v1/public/enrich/bulk")
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("detail", equalTo("Not authenticated"));
        }
        assertNothingWritten();
    }

    @Test
    void rejectsRevokedKey() {
        String keyId = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .get("/api/v1/admin/organizations/" + tenant.orgId() + "/api-keys")
                .then()
                .statusCode(200)
                .body("api_keys", hasSize(1))
                .body("api_keys[0].key", equalTo(null))
                .extract()
                .path("api_keys[0].id");
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .delete("/api/v1/admin/organizations/" + tenant.orgId() + "/api-keys/" + keyId)
                .then()
                .statusCode(204);
        submit(Map.of("contacts", List.of(Gateway.person(1)))).statusCode(401);
        assertNothingWritten();
    }

    @Test
    void rejectsEmptyContactsWith400() {
        submit(Map.of("contacts", List.of()))
                .statusCode(400)
                .body("detail", equalTo("At least one contact is required."));
        assertNothingWritten();
    }

    @Test
    void rejects251ContactsWith400() {
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 251; i++) {
            contacts.add(Gateway.person(i));
        }
        submit(Map.of("contacts", contacts))
                .statusCode(400)
                .body("detail", equalTo("Bulk enrichment supports up to 250 contacts per request."));
        assertNothingWritten();
    }

    @Test
    void rejectsMissingOrNonArrayContactsWith422() {
        submit(Map.of("enrichment_type", "partial"))
                .statusCode(422)
                .body("detail[0].loc", contains("body", "contacts"));
        submit(Map.of("contacts", "nope")).statusCode(422).body("detail[0].loc", contains("body", "contacts"));
        assertNothingWritten();
    }

    @Test
    void listsEveryInvalidContactWith422() {
        List<Object> contacts = List.of(
                Gateway.person(0),
                Map.of("first_name", "Only"),
                Gateway.person(2),
                Map.of("linkedin_url", "https://example.com/in/someone"),
                Map.of("first_name", "A", "last_name", "B", "company_domain", "not a domain"),
                "not an object");
        submit(Map.of("contacts", contacts))
                .statusCode(422)
                .body("detail", hasSize(4))
                .body("detail[0].loc", contains("body", "contacts", 1))
                .body("detail[0].type", equalTo("value_error"))
                .body("detail[0].msg", notNullValue())
                .body("detail[1].loc", contains("body", "contacts", 3, "linkedin_url"))
                .body("detail[2].loc", contains("body", "contacts", 4, "company_domain"))
                .body("detail[3].loc", contains("body", "contacts", 5));
        assertNothingWritten();
    }

    @Test
    void rejectsUnknownEnrichmentTypeBadWebhookAndUnknownProvider() {
        submit(Map.of("enrichment_type", "everything", "contacts", List.of(Gateway.person(1))))
                .statusCode(422)
                .body("detail[0].loc", contains("body", "enrichment_type"));
        for (String url : List.of(
                "ftp://example.com/hook",
                "/relative/hook",
                "not a url",
                "https://user:pw@example.com/",
                "http://169.254.169.254/latest/meta-data",
                "http://10.0.0.1/hook",
                "http://[::ffff:192.168.0.1]/hook",
                "https://example.com:99999/hook")) {
            submit(Map.of("webhook_url", url, "contacts", List.of(Gateway.person(1))))
                    .statusCode(422)
                    .body("detail[0].loc", contains("body", "webhook_url"));
        }
        submit(Map.of("waterfall", Map.of("email", List.of("nobody")), "contacts", List.of(Gateway.person(1))))
                .statusCode(422)
                .body("detail[0].loc", contains("body", "waterfall", "email", 0));
        assertNothingWritten();
    }

    @Test
    void rejectsMalformedJsonWrongTypeAndOversizedBodies() {
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body("{\"contacts\": [")
                .when()
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(400)
                .body("detail", equalTo("Malformed JSON body"));
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.TEXT)
                .body("hello")
                .when()
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(415)
                .body("detail", notNullValue());
        String huge = "{\"contacts\":[{\"first_name\":\"" + "x".repeat(1_100_000) + "\"}]}";
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(huge)
                .when()
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(413);
        assertNothingWritten();
    }

    @Test
    void refusesControlCharactersAndHugeNamesButStoresHostileTextSafely() {
        submit(Map.of("contacts", List.of(Map.of("first_name", "A\u0000B", "last_name", "C", "company_name", "D"))))
                .statusCode(422);
        submit(Map.of(
                        "contacts",
                        List.of(Map.of("first_name", "x".repeat(10_000), "last_name", "C", "company_name", "D"))))
                .statusCode(422);
        assertNothingWritten();
        String hostile = "Robert'); DROP TABLE tasks;-- <script>alert(1)</script>";
        Map<String, Object> contact =
                Map.of("first_name", hostile, "last_name", "O'Brien", "company_name", "\"Quotes\" & <Co>");
        String workflowId = tenant.submit(Map.of("enrichment_type", "none", "contacts", List.of(contact)));
        var status = tenant.awaitTerminal(workflowId, java.time.Duration.ofSeconds(30));
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        String taskId = given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .queryParam("include_results", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .body("workflow.results[0].prospect.first_name", equalTo(hostile))
                .extract()
                .path("workflow.results[0].task_id");
        assertThat(taskId).isNotNull();
    }

    @Test
    void acceptsTheSeedRequestAndAnswersTheDocumentedShape() {
        Map<String, Object> body = new HashMap<>();
        body.put("enrichment_type", "partial");
        body.put(
                "contacts",
                List.of(
                        Map.of("first_name", "John", "last_name", "Doe", "company_domain", "acme.com"),
                        Map.of("linkedin_url", "https://www.linkedin.com/in/janedoe"),
                        Map.of("first_name", "Sam", "last_name", "Lee", "company_name", "Globex")));
        submit(body)
                .statusCode(200)
                .header("X-Request-Id", notNullValue())
                .body("workflow_id", matchesPattern("public_bulk_[0-9a-f-]{36}"))
                .body("status", equalTo("started"))
                .body("message", equalTo("Bulk enrichment workflow started successfully"))
                .body("task_ids", hasSize(3))
                .body("total_contacts", equalTo(3));
    }

    @Test
    void echoesTheCallersRequestId() {
        given().auth()
                .oauth2(tenant.key())
                .header("X-Request-Id", "trace-me-123")
                .queryParam("workflow_id", "public_bulk_" + UUID.randomUUID())
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(404)
                .header("X-Request-Id", "trace-me-123");
    }

    @Test
    void aRequestIdThatIsNotASafeTokenIsReplacedByANewOne() {
        String longest = "r".repeat(128);
        for (String refused : List.of("r".repeat(129), "has space", "semi;colon", "quote\"d", "slash/ed", "curly{}")) {
            String answered = given().auth()
                    .oauth2(tenant.key())
                    .header("X-Request-Id", refused)
                    .queryParam("workflow_id", "public_bulk_" + UUID.randomUUID())
                    .get("/api/v1/public/enrich/status")
                    .then()
                    .statusCode(404)
                    .extract()
                    .header("X-Request-Id");
            assertThat(answered).as("replacement for %s", refused).isNotEqualTo(refused);
            assertThat(UUID.fromString(answered)).isNotNull();
        }
        given().auth()
                .oauth2(tenant.key())
                .header("X-Request-Id", longest)
                .get("/api/v1/public/credits/balance")
                .then()
                .statusCode(200)
                .header("X-Request-Id", longest);
    }

    @Test
    void aNullInputIsLeftOutOfItsValidationProblem() throws Exception {
        String body = "{\"enrichment_type\":\"partial\",\"waterfall\":{\"email\":[null]},"
                + "\"contacts\":[null,{\"first_name\":\"Only\"}]}";
        String answer = given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(422)
                .extract()
                .asString();
        var detail = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(answer)
                .path("detail");
        assertThat(detail.size()).isEqualTo(3);
        assertThat(answer).doesNotContain("null");
        for (var problem : detail) {
            String loc = problem.path("loc").toString();
            if (loc.equals("[\"body\",\"contacts\",1]")) {
                assertThat(problem.path("input").path("first_name").asText()).isEqualTo("Only");
            } else {
                assertThat(problem.has("input")).as("input of %s", loc).isFalse();
            }
        }
        assertNothingWritten();
    }

    private io.restassured.response.ValidatableResponse submit(Map<String, ?> body) {
        return given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(body)
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
