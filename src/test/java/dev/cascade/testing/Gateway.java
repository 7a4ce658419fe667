package dev.cascade.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Test helpers that talk to the running gateway as a client and an operator would, and read its database. */
public final class Gateway {
    public static final String ADMIN_TOKEN = "test-operator-token-0123456789abcdef";
    public static final String BOOTSTRAP_KEY = "clapi_testbootstrapkey000000000000000000000000000000000000000000000000";

    private Gateway() {}

    /**
     * The test gateway's management interface (health, metrics, OpenAPI), e.g. {@code management("/q/metrics")}: a
     * random port of its own, never the public one that REST Assured is pointed at.
     */
    public static String management(String path) {
        // The test URI ends in the management root path (`/q`); paths here are written in full.
        java.net.URI uri = java.net.URI.create(TestHTTPResourceManager.getManagementUri());
        return uri.getScheme() + "://" + uri.getAuthority() + path;
    }

    /** A new organisation with credits, and a fresh API key of it. */
    public static Tenant newTenant(String name) {
        return newTenant(name, 100000);
    }

    /** A new organisation with these credits, and a fresh API key of it. */
    public static Tenant newTenant(String name, Number credits) {
        String orgId = given().auth()
                .oauth2(ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "credits", credits))
                .when()
                .post("/api/v1/admin/organizations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String key = given().auth()
                .oauth2(ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "test"))
                .when()
                .post("/api/v1/admin/organizations/" + orgId + "/api-keys")
                .then()
                .statusCode(201)
                .extract()
                .path("key");
        return new Tenant(orgId, key);
    }

    /** An organisation and one of its keys. */
    public record Tenant(String orgId, String key) {
        public String submit(Map<String, Object> body) {
            return submitForBody(body).getString("workflow_id");
        }

        /** Submits and answers the whole 200 body (workflow id and task ids). */
        public JsonPath submitForBody(Map<String, Object> body) {
            return given().auth()
                    .oauth2(key)
                    .contentType(ContentType.JSON)
                    .body(body)
                    .when()
                    .post("/api/v1/public/enrich/bulk")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
        }

        public JsonPath workflow(String workflowId) {
            return status("workflow_id", workflowId, null);
        }

        /** The workflow's status answer with every result item (`include_results=true`). */
        public JsonPath results(String workflowId) {
            return status("workflow_id", workflowId, "include_results");
        }

        /** A task's status answer with its trace (`include_trace=true`). */
        public JsonPath task(String taskId) {
            return status("task_id", taskId, "include_trace");
        }

        private JsonPath status(String idParam, String id, String flag) {
            var request = given().auth().oauth2(key).queryParam(idParam, id);
            if (flag != null) {
                request = request.queryParam(flag, "true");
            }
            return request.when()
                    .get("/api/v1/public/enrich/status")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
        }

        /** Waits for the workflow to reach a terminal status and returns its status answer. */
        public JsonPath awaitTerminal(String workflowId, Duration atMost) {
            await().atMost(atMost)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> List.of("completed", "completed_with_errors", "failed")
                            .contains(workflow(workflowId).getString("workflow.status")));
            return workflow(workflowId);
        }
    }

    /** The sum of every series of a metric on the management port's `/q/metrics` (0 when it has none). */
    public static double metricSum(String name) {
        String metrics = given().get(management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?m)^" + java.util.regex.Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$")
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** A contact of the seed's shape. */
    public static Map<String, Object> person(int i) {
        return Map.of("first_name", "First" + i, "last_name", "Last" + i, "company_domain", "company" + i + ".com");
    }

    /** Runs a count query against the gateway's database. */
    public static long count(String sql, Object... params) {
        try (Connection conn = DriverManager.getConnection(PostgresResource.jdbcUrl());
                PreparedStatement statement = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
