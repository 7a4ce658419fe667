package dev.cascade;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;

/**
 * The packaged gateway refuses production-unsafe settings at start-up and keeps its management endpoints off the
 * public port (issue 12, items 3 and 6): a weak or template operator token and the public development webhook key
 * (outside the local and test profiles) stop it with a message naming the setting; health, metrics and OpenAPI answer
 * only on the management port; wrong operator tokens are throttled and logged without the token. The prod profile
 * never serves invented data (issue 13, item 1): the simulator refuses to start there, and with no vendor configured
 * every type that needs a provider is refused at submit.
 */
class ProductionDefaultsIT {
    private static final Duration EXIT = Duration.ofSeconds(120);
    /** The public development key of application.properties' local and test profiles. */
    private static final String DEV_KEY = "Y2FzY2FkZS1sb2NhbC1kZXYta2V5LU5PVC1TRUNSRVQ=";

    private static final Map<String, String> PERSON =
            Map.of("first_name", "Ada", "last_name", "Lovelace", "company_domain", "example.com");

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
    void aShortOperatorTokenRefusesStartUpNamingTheSettingButNotTheValue() {
        String token = "short-operator-token";
        Map<String, String> env = cluster.env();
        env.put("GATEWAY_ADMIN_TOKEN", token);

        String log = refusedStartUp("weak-token", env);

        assertThat(log).contains("GATEWAY_ADMIN_TOKEN (cascade.admin.token)").contains("32 characters");
        assertThat(log).doesNotContain(token);
    }

    @Test
    void theTemplatePlaceholderTokenRefusesStartUp() {
        String token = "REPLACE_ME_operator_token_openssl_rand_hex_32";
        Map<String, String> env = cluster.env();
        env.put("GATEWAY_ADMIN_TOKEN", token);

        String log = refusedStartUp("template-token", env);

        assertThat(log).contains("GATEWAY_ADMIN_TOKEN (cascade.admin.token)").contains("placeholder");
        assertThat(log).doesNotContain(token);
    }

    @Test
    void theDevelopmentWebhookKeyRefusesStartUpInTheProdProfile() {
        Map<String, String> env = cluster.env();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("CASCADE_WEBHOOKS_SECRETS_KEY", DEV_KEY);

        String log = refusedStartUp("dev-key-prod", env);

        assertThat(log)
                .contains("CASCADE_WEBHOOKS_SECRETS_KEY (cascade.webhooks.secrets-key)")
                .contains("development key");
        assertThat(log).doesNotContain(DEV_KEY);
    }

    @Test
    void aRandomWebhookKeyStartsInTheProdProfile() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = cluster.env();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("CASCADE_WEBHOOKS_SECRETS_KEY", Base64.getEncoder().encodeToString(key));

        GatewayProcess gateway = cluster.startGateway("random-key-prod", env);

        given().baseUri(gateway.managementUrl()).get("/q/health/ready").then().statusCode(200);
        cluster.stopGateways();
    }

    @Test
    void theProdProfileWithNoVendorRefusesTypesThatNeedOneAndServesNone() {
        Map<String, String> env = prodEnv();
        env.put("CASCADE_BOOTSTRAP_ENABLED", "true");

        GatewayProcess gateway = cluster.startGateway("no-vendor-prod", env);
        try {
            given().baseUri(gateway.baseUrl())
                    .auth()
                    .oauth2(cluster.apiKey())
                    .contentType(ContentType.JSON)
                    .body(Map.of("enrichment_type", "full", "contacts", List.of(PERSON)))
                    .post("/api/v1/public/enrich/bulk")
                    .then()
                    .statusCode(422)
                    .body("detail[0].loc", contains("body", "enrichment_type"))
                    .body("detail[0].msg", containsString("no email provider is configured"))
                    .body("detail[1].msg", containsString("no phone provider is configured"));
            given().baseUri(gateway.baseUrl())
                    .auth()
                    .oauth2(cluster.apiKey())
                    .contentType(ContentType.JSON)
                    .body(Map.of("enrichment_type", "none", "contacts", List.of(PERSON)))
                    .post("/api/v1/public/enrich/bulk")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("started"));
            given().baseUri(gateway.baseUrl())
                    .auth()
                    .oauth2(cluster.adminToken())
                    .get("/api/v1/admin/providers")
                    .then()
                    .statusCode(200)
                    .body("providers.name", not(hasItem(startsWith("sim-"))));
        } finally {
            cluster.stopGateways();
        }
    }

    @Test
    void theSimulatorRefusesStartUpInTheProdProfileNamingTheSetting() {
        Map<String, String> env = prodEnv();
        env.put("CASCADE_SIMULATOR_ENABLED", "true");

        String log = refusedStartUp("simulator-prod", env);

        assertThat(log).contains("CASCADE_SIMULATOR_ENABLED (cascade.simulator.enabled)");
    }

    /** The prod profile with a random webhook key (the development key is refused there). */
    private static Map<String, String> prodEnv() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = cluster.env();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("CASCADE_WEBHOOKS_SECRETS_KEY", Base64.getEncoder().encodeToString(key));
        return env;
    }

    @Test
    void healthMetricsAndOpenApiAreServedOnlyOnTheManagementPort() {
        GatewayProcess gateway = cluster.startGateway("management-port", cluster.env());
        try {
            for (String path : new String[] {
                "/q/health", "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi", "/q/swagger-ui"
            }) {
                given().baseUri(gateway.baseUrl()).get(path).then().statusCode(404);
            }
            given().baseUri(gateway.managementUrl())
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200);
            given().baseUri(gateway.managementUrl())
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .body(containsString("cascade_admin_auth_failures_total"));
            given().baseUri(gateway.managementUrl())
                    .get("/q/openapi")
                    .then()
                    .statusCode(200)
                    .body(containsString("/api/v1/public/enrich/bulk"));
            // Swagger UI is a development aid: not in the packaged jar at all.
            given().baseUri(gateway.managementUrl()).get("/q/swagger-ui").then().statusCode(404);
        } finally {
            cluster.stopGateways();
        }
    }

    @Test
    void wrongOperatorTokensAreThrottledAndLoggedWithoutTheToken() throws Exception {
        GatewayProcess gateway = cluster.startGateway("operator-throttle", cluster.env());
        try {
            // The default burst of cascade.admin.auth-throttle: 10 wrong tokens, then 429.
            for (int i = 0; i < 10; i++) {
                given().baseUri(gateway.baseUrl())
                        .auth()
                        .oauth2("guessed-token-" + i)
                        .get("/api/v1/admin/organizations")
                        .then()
                        .statusCode(401);
            }
            Response refused = given().baseUri(gateway.baseUrl())
                    .auth()
                    .oauth2(cluster.adminToken())
                    .get("/api/v1/admin/organizations");
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Files.readString(gateway.log(), StandardCharsets.UTF_8))
                            .contains("Operator authentication failed from 127.0.0.1"));
            String log = Files.readString(gateway.log(), StandardCharsets.UTF_8);
            assertThat(log).doesNotContain("guessed-token-").doesNotContain(cluster.adminToken());
            given().baseUri(gateway.managementUrl())
                    .get("/q/metrics")
                    .then()
                    .body(containsString("cascade_admin_auth_failures_total{outcome=\"rejected\"} 10.0"))
                    .body(containsString("cascade_admin_auth_failures_total{outcome=\"throttled\"} 1.0"));
        } finally {
            cluster.stopGateways();
        }
    }

    /** Starts a gateway that must refuse to start; answers its log once it exited non-zero. */
    private static String refusedStartUp(String name, Map<String, String> env) {
        try (GatewayProcess gateway = GatewayProcess.start(name, env)) {
            await(name + " exits").atMost(EXIT).until(() -> !gateway.isAlive());
            assertThat(gateway.stop(Duration.ofSeconds(5))).isNotZero();
            return gateway.tail(400);
        }
    }
}
