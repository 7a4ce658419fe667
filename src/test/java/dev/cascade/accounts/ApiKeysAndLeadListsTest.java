package dev.cascade.accounts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** API keys (§1, §9) and lead lists (§7) as clients and operators use them. */
@QuarkusTest
class ApiKeysAndLeadListsTest {

    @Test
    void aKeyIsShownOnceListedByItsLast4AndAnOrganisationHasAtMostTenActive() {
        Tenant tenant = Gateway.newTenant("keys-" + UUID.randomUUID());
        String keys = "/api/v1/admin/organizations/" + tenant.orgId() + "/api-keys";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            JsonPath created = createKey(keys, Map.of("name", "k" + i))
                    .statusCode(201)
                    .extract()
                    .jsonPath();
            String secret = created.getString("key");
            assertThat(secret).startsWith("clapi_").hasSize(70);
            assertThat(created.getString("last4")).isEqualTo(secret.substring(secret.length() - 4));
            ids.add(created.getString("id"));
        }
        // The tenant's own key and these nine make ten: the eleventh is refused, and nothing is created.
        createKey(keys, Map.of("name", "eleventh"))
                .statusCode(409)
                .body("detail", equalTo("An organization can have at most 10 active API keys; revoke one first"));
        JsonPath listed = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get(keys)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(listed.getList("api_keys")).hasSize(10);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get(keys)
                .then()
                .body("api_keys[0]", not(hasKey("key")))
                .body("api_keys[0].last4", notNullValue())
                .body("api_keys[0].status", equalTo("active"));
        // A revoked or an expired key does not count.
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .delete(keys + "/" + ids.get(0))
                .then()
                .statusCode(204);
        createKey(keys, Map.of("name", "replacement")).statusCode(201);
        createKey(keys, Map.of("name", "twelfth")).statusCode(409);
    }

    @Test
    void revokedAndExpiredKeysAreRefused() {
        Tenant tenant = Gateway.newTenant("refused-" + UUID.randomUUID());
        String keys = "/api/v1/admin/organizations/" + tenant.orgId() + "/api-keys";
        JsonPath revocable = createKey(keys, Map.of("name", "revocable"))
                .statusCode(201)
                .extract()
                .jsonPath();
        String secret = revocable.getString("key");
        given().auth()
                .oauth2(secret)
                .get("/api/v1/public/auth/validate-key")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .delete(keys + "/" + revocable.getString("id"))
                .then()
                .statusCode(204);
        for (String path : List.of("/api/v1/public/auth/validate-key", "/api/v1/public/credits/balance")) {
            given().auth()
                    .oauth2(secret)
                    .get(path)
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("detail", equalTo("Not authenticated"));
        }
        given().auth()
                .oauth2(secret)
                .contentType(ContentType.JSON)
                .body(Map.of("contacts", List.of(Gateway.person(1))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(401);

        String shortLived = createKey(
                        keys, Map.of("expires_at", Instant.now().plusSeconds(2).toString()))
                .statusCode(201)
                .extract()
                .path("key");
        given().auth()
                .oauth2(shortLived)
                .get("/api/v1/public/auth/validate-key")
                .then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> given().auth()
                                .oauth2(shortLived)
                                .get("/api/v1/public/auth/validate-key")
                                .statusCode()
                        == 401);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get(keys)
                .then()
                .body("api_keys.find { it.id == '" + revocable.getString("id") + "' }.status", equalTo("revoked"));
    }

    @Test
    void noLogLineEverHoldsAWholeKey() throws Exception {
        List<String> secrets = new ArrayList<>();
        Tenant tenant = Gateway.newTenant("logs-" + UUID.randomUUID());
        secrets.add(tenant.key());
        String keys = "/api/v1/admin/organizations/" + tenant.orgId() + "/api-keys";
        JsonPath revoked = createKey(keys, Map.of("name", "to-revoke"))
                .statusCode(201)
                .extract()
                .jsonPath();
        secrets.add(revoked.getString("key"));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .delete(keys + "/" + revoked.getString("id"))
                .then()
                .statusCode(204);
        String unknown = "clapi_" + "A".repeat(64);
        secrets.add(unknown);
        for (String key : secrets) {
            given().auth().oauth2(key).get("/api/v1/public/auth/validate-key");
            given().auth()
                    .oauth2(key)
                    .contentType(ContentType.JSON)
                    .body("{not json")
                    .post("/api/v1/public/enrich/bulk");
        }
        String workflowId = tenant.submit(Map.of("contacts", List.of(Gateway.person(1))));
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        // The test profile logs to this file as well as to the console (application.properties).
        List<String> lines = Files.readAllLines(Path.of("target/cascade-test.log"), StandardCharsets.UTF_8);
        assertThat(lines).isNotEmpty();
        for (String secret : secrets) {
            assertThat(lines).noneMatch(line -> line.contains(secret));
            // Not even the secret part after the prefix.
            assertThat(lines).noneMatch(line -> line.contains(secret.substring(6, 30)));
        }
    }

    @Test
    void theDefaultListPagesItsLeadsInSubmissionOrder() {
        Tenant tenant = Gateway.newTenant("leads-" + UUID.randomUUID());
        JsonPath first = tenant.submitForBody(Map.of(
                "contacts", IntStream.range(0, 3).mapToObj(Gateway::person).toList()));
        JsonPath second = tenant.submitForBody(Map.of(
                "enrichment_type",
                "none",
                "contacts",
                IntStream.range(10, 14).mapToObj(Gateway::person).toList()));
        tenant.awaitTerminal(first.getString("workflow_id"), Duration.ofSeconds(30));
        tenant.awaitTerminal(second.getString("workflow_id"), Duration.ofSeconds(30));
        List<String> expected = new ArrayList<>(first.getList("task_ids"));
        expected.addAll(second.getList("task_ids"));

        JsonPath lists = given().auth()
                .oauth2(tenant.key())
                .get("/api/v1/public/lead-lists")
                .then()
                .statusCode(200)
                .header("RateLimit-Limit", notNullValue())
                .extract()
                .jsonPath();
        assertThat(lists.getList("lead_lists")).hasSize(1);
        assertThat(lists.getString("lead_lists[0].name")).isEqualTo("DEFAULT");
        assertThat(lists.getBoolean("lead_lists[0].is_default")).isTrue();
        assertThat(lists.getInt("lead_lists[0].lead_count")).isEqualTo(7);
        String listId = lists.getString("lead_lists[0].lead_list_id");
        assertThat(listId)
                .isEqualTo(tenant.workflow(first.getString("workflow_id")).getString("workflow.lead_list_id"));

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().auth().oauth2(tenant.key()).queryParam("limit", 3);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/public/lead-lists/" + listId + "/leads")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            List<Map<String, Object>> leads = page.getList("leads");
            pageSizes.add(leads.size());
            for (Map<String, Object> lead : leads) {
                seen.add((String) lead.get("task_id"));
                assertThat(lead).containsKeys("workflow_id", "status", "contact", "created_at");
                assertThat(lead.get("status")).isEqualTo("completed");
                assertThat(lead).doesNotContainValue(null);
            }
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        assertThat(pageSizes).containsExactly(3, 3, 1);
        assertThat(seen).containsExactlyElementsOf(expected);

        // A `partial` lead carries its §5.3 result fields.
        JsonPath firstLead = given().auth()
                .oauth2(tenant.key())
                .queryParam("limit", 1)
                .get("/api/v1/public/lead-lists/" + listId + "/leads")
                .then()
                .extract()
                .jsonPath();
        assertThat(firstLead.getString("leads[0].prospect.first_name")).isEqualTo("First0");

        given().auth()
                .oauth2(tenant.key())
                .queryParam("cursor", "garbage!!")
                .get("/api/v1/public/lead-lists/" + listId + "/leads")
                .then()
                .statusCode(400)
                .body("detail", equalTo("Invalid cursor"));
        given().auth()
                .oauth2(tenant.key())
                .queryParam("limit", 501)
                .get("/api/v1/public/lead-lists/" + listId + "/leads")
                .then()
                .statusCode(400);
        for (String unknown : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
            given().auth()
                    .oauth2(tenant.key())
                    .get("/api/v1/public/lead-lists/" + unknown + "/leads")
                    .then()
                    .statusCode(404)
                    // Refusals count too, and say so (§10).
                    .header("RateLimit-Remaining", notNullValue())
                    .body("detail", equalTo("Lead list not found"));
        }
    }

    private static io.restassured.response.ValidatableResponse createKey(String path, Map<String, Object> body) {
        return given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(body)
                .post(path)
                .then();
    }
}
