package dev.cascade;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;

/**
 * Readiness says what it means (issue 13, item 14): a broker outage does not take an `api` process out of the Service,
 * because a submit is still accepted (the workflow is durable and the dispatch sweeper publishes it later); a
 * worker-only process, which serves no requests, reports not-ready; liveness is unaffected.
 */
class BrokerOutageReadinessIT {
    private static GatewayCluster cluster;

    @BeforeAll
    static void startInfrastructure() {
        cluster = GatewayCluster.start();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void anApiProcessStaysReadyAndAcceptsSubmitsWhileTheBrokerIsDown() {
        Map<String, String> apiEnv = cluster.env();
        apiEnv.put("CASCADE_ROLES", "api");
        apiEnv.put("CASCADE_INTAKE_DISPATCH_TIMEOUT", "2s");
        GatewayProcess api = cluster.startGateway("outage-api", apiEnv);
        Map<String, String> workerEnv = cluster.env();
        workerEnv.put("CASCADE_ROLES", "waterfall");
        GatewayProcess worker = cluster.startGateway("outage-worker", workerEnv);

        cluster.stopBroker();

        // The worker's consumer loses the broker: proof that the outage is visible to readiness at all.
        await("worker not ready")
                .atMost(Duration.ofSeconds(90))
                .until(() -> given().baseUri(worker.managementUrl())
                                .get("/q/health/ready")
                                .statusCode()
                        == 503);
        given().baseUri(api.managementUrl()).get("/q/health/ready").then().statusCode(200);
        given().baseUri(api.managementUrl()).get("/q/health/live").then().statusCode(200);
        given().baseUri(worker.managementUrl()).get("/q/health/live").then().statusCode(200);

        String workflow = given().baseUri(api.baseUrl())
                .auth()
                .oauth2(cluster.apiKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "contacts",
                        List.of(Map.of("first_name", "Ada", "last_name", "Lovelace", "company_domain", "example.com"))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .body("status", equalTo("started"))
                .extract()
                .path("workflow_id");
        assertThat(workflow).startsWith("public_bulk_");
        given().baseUri(api.managementUrl()).get("/q/health/ready").then().statusCode(200);
        given().baseUri(api.managementUrl()).get("/q/health/live").then().statusCode(200);
    }
}
