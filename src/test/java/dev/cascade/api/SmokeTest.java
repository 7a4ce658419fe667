package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;

@QuarkusTest
class SmokeTest {

    @Test
    void seedExampleReachesCompleted() {
        String wf = given().auth()
                .oauth2(Gateway.BOOTSTRAP_KEY)
                .contentType("application/json")
                .body(Map.of(
                        "enrichment_type",
                        "partial",
                        "contacts",
                        List.of(
                                Map.of("first_name", "John", "last_name", "Doe", "company_domain", "acme.com"),
                                Map.of("linkedin_url", "https://www.linkedin.com/in/janedoe"),
                                Map.of("first_name", "Sam", "last_name", "Lee", "company_name", "Globex"))))
                .when()
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .path("workflow_id");
        JsonPath status = new Gateway.Tenant(null, Gateway.BOOTSTRAP_KEY).awaitTerminal(wf, Duration.ofSeconds(30));
        assertThat(status.getString("workflow.status")).isEqualTo("completed");
        assertThat(status.getInt("workflow.completed_prospects")).isEqualTo(3);
    }
}
