package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** The operator's webhook secret endpoints (§9): reveal, rotate, and the refusals around them. */
@QuarkusTest
class AdminWebhookSecretResourceTest {
    private static final String BASE = "/api/v1/admin/organizations/";

    private static JsonPath reveal(String orgId) {
        return given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .get(BASE + orgId + "/webhook-secret")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .extract()
                .jsonPath();
    }

    @Test
    void revealShowsTheCurrentSecretCreatedOnFirstUseAndTheSameOneAfterwards() {
        Tenant tenant = Gateway.newTenant("reveal-" + UUID.randomUUID());

        JsonPath first = reveal(tenant.orgId());
        assertThat(first.getString("organization_id")).isEqualTo(tenant.orgId());
        assertThat(first.getList("secrets")).hasSize(1);
        assertThat(first.getString("secrets[0].id")).matches("[0-9a-f-]{36}");
        assertThat(first.getString("secrets[0].secret")).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(first.getString("secrets[0].created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        // The current secret does not expire: the field is left out, not null.
        assertThat(first.getMap("secrets[0]")).doesNotContainKey("expires_at");

        JsonPath second = reveal(tenant.orgId());
        assertThat(second.getString("secrets[0].secret")).isEqualTo(first.getString("secrets[0].secret"));
        assertThat(second.getString("secrets[0].id")).isEqualTo(first.getString("secrets[0].id"));
    }

    @Test
    void rotateAnswersTheNewSecretAndKeepsTheOldOneForTheOverlap() {
        Tenant tenant = Gateway.newTenant("rotate-" + UUID.randomUUID());
        String old = reveal(tenant.orgId()).getString("secrets[0].secret");

        JsonPath rotated = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("overlap_seconds", 604800))
                .when()
                .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .extract()
                .jsonPath();

        assertThat(rotated.getString("organization_id")).isEqualTo(tenant.orgId());
        assertThat(rotated.getString("secret"))
                .matches("whsec_[A-Za-z0-9+/]{43}=")
                .isNotEqualTo(old);
        assertThat(rotated.getString("created_at")).endsWith("Z");
        assertThat(Instant.parse(rotated.getString("previous_expire_at")))
                .isBetween(
                        Instant.now().plus(Duration.ofDays(7)).minusSeconds(60),
                        Instant.now().plus(Duration.ofDays(7)).plusSeconds(60));
        JsonPath both = reveal(tenant.orgId());
        assertThat(both.getList("secrets.secret")).containsExactly(rotated.getString("secret"), old);
        assertThat(both.getString("secrets[0].id")).isEqualTo(rotated.getString("id"));
    }

    @Test
    void rotateWithoutABodyUsesTheDefaultOverlapAndZeroRetiresTheOldSecretAtOnce() {
        Tenant tenant = Gateway.newTenant("rotate-default-" + UUID.randomUUID());
        String old = reveal(tenant.orgId()).getString("secrets[0].secret");

        JsonPath rotated = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(Instant.parse(rotated.getString("previous_expire_at")))
                .isBetween(
                        Instant.now().plus(Duration.ofHours(24)).minusSeconds(60),
                        Instant.now().plus(Duration.ofHours(24)).plusSeconds(60));
        assertThat(reveal(tenant.orgId()).getList("secrets.secret")).containsExactly(rotated.getString("secret"), old);

        JsonPath leaked = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body("{\"overlap_seconds\": 0}")
                .when()
                .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        // Overlap 0 (a leaked secret): every older secret stops signing now.
        assertThat(reveal(tenant.orgId()).getList("secrets.secret")).containsExactly(leaked.getString("secret"));
    }

    @Test
    void aBadOverlapAnswers422WithItsLocation() {
        Tenant tenant = Gateway.newTenant("bad-overlap-" + UUID.randomUUID());
        for (String body : List.of(
                "{\"overlap_seconds\": -1}",
                "{\"overlap_seconds\": 604801}",
                "{\"overlap_seconds\": \"60\"}",
                "{\"overlap_seconds\": 1.5}",
                "{\"overlap_seconds\": true}",
                "{\"overlap_seconds\": 99999999999999999999999}")) {
            given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .contentType(ContentType.JSON)
                    .body(body)
                    .when()
                    .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                    .then()
                    .statusCode(422)
                    .body("detail[0].type", equalTo("value_error"))
                    .body("detail[0].loc", contains("body", "overlap_seconds"));
        }
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body("{\"overlap_seconds\": ")
                .when()
                .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                .then()
                .statusCode(400)
                .body("detail", equalTo("Malformed JSON body"));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.TEXT)
                .body("overlap_seconds=60")
                .when()
                .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                .then()
                .statusCode(415)
                .body("detail", equalTo("Unsupported Media Type"));
        // Nothing was rotated by the refused calls: the organisation still has no secret at all.
        assertThat(Gateway.count(
                        "SELECT count(*) FROM webhook_signing_secrets WHERE org_id = ?",
                        UUID.fromString(tenant.orgId())))
                .isZero();
    }

    @Test
    void anUnknownOrMalformedOrganisationAnswers404LikeTheOtherOperatorCalls() {
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid", "00000000-0000-0000-0000-00000000000g")) {
            given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .when()
                    .get(BASE + id + "/webhook-secret")
                    .then()
                    .statusCode(404)
                    .body("detail", equalTo("Organization not found"));
            given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .contentType(ContentType.JSON)
                    .body("{}")
                    .when()
                    .post(BASE + id + "/webhook-secret/rotate")
                    .then()
                    .statusCode(404)
                    .body("detail", equalTo("Organization not found"));
        }
    }

    @Test
    void withoutTheOperatorTokenTheSecretIsNeitherShownNorRotated() {
        Tenant tenant = Gateway.newTenant("no-token-" + UUID.randomUUID());
        String path = BASE + tenant.orgId() + "/webhook-secret";
        given().when().get(path).then().statusCode(401).header("WWW-Authenticate", "Bearer");
        given().auth().oauth2("wrong-token").when().get(path).then().statusCode(401);
        // The organisation's own API key is not the operator token.
        given().auth().oauth2(tenant.key()).when().get(path).then().statusCode(401);
        given().when().post(path + "/rotate").then().statusCode(401);
        given().auth().oauth2(tenant.key()).when().post(path + "/rotate").then().statusCode(401);
        assertThat(Gateway.count(
                        "SELECT count(*) FROM webhook_signing_secrets WHERE org_id = ?",
                        UUID.fromString(tenant.orgId())))
                .isZero();
    }

    @Test
    void secretsAppearInNoOtherAnswer() {
        Tenant tenant = Gateway.newTenant("no-leak-" + UUID.randomUUID());
        String current = reveal(tenant.orgId()).getString("secrets[0].secret");
        String rotated = given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .post(BASE + tenant.orgId() + "/webhook-secret/rotate")
                .then()
                .statusCode(200)
                .extract()
                .path("secret");

        List<String> answers = List.of(
                given().auth()
                        .oauth2(Gateway.ADMIN_TOKEN)
                        .get(BASE + tenant.orgId())
                        .asString(),
                given().auth().oauth2(Gateway.ADMIN_TOKEN).get(BASE).asString(),
                given().auth()
                        .oauth2(Gateway.ADMIN_TOKEN)
                        .get(BASE + tenant.orgId() + "/api-keys")
                        .asString(),
                given().auth()
                        .oauth2(tenant.key())
                        .get("/api/v1/public/auth/validate-key")
                        .asString());
        for (String answer : answers) {
            assertThat(answer)
                    .contains(tenant.orgId())
                    .doesNotContain("whsec_")
                    .doesNotContain(current.substring(6))
                    .doesNotContain(rotated.substring(6));
        }
    }
}
