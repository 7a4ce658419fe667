package dev.cascade.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.GatewayCluster;
import dev.cascade.testing.GatewayProcess;
import dev.cascade.testing.PostgresResource;

/**
 * The prod overlay's migration Job, as the packaged jar runs it (k8s/overlays/prod/job-migrate.yaml): with
 * {@code QUARKUS_INIT_AND_EXIT=true} and {@code QUARKUS_FLYWAY_MIGRATE_AT_START=true} it migrates the schema as the
 * owner role and exits 0 without starting the application (the broker it is given does not even exist, and it needs
 * no operator token or webhook key). A gateway then runs a workflow as a role that may read and write but not change
 * the schema, with {@code QUARKUS_FLYWAY_MIGRATE_AT_START=false}: the two-role set-up of postgresql-cluster.yaml.
 */
class MigrationJobIT {
    private static final String SUFFIX =
            UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private static final String OWNER = "cascade_owner_" + SUFFIX;
    private static final String APP = "cascade_app_" + SUFFIX;

    private static GatewayCluster cluster;

    @BeforeAll
    static void start() throws SQLException {
        cluster = GatewayCluster.start();
        // What CloudNativePG's initdb and postInitApplicationSQL do (postgresql-cluster.yaml), on the test database.
        sql(
                "CREATE ROLE " + OWNER + " LOGIN",
                "CREATE ROLE " + APP + " LOGIN",
                "ALTER SCHEMA public OWNER TO " + OWNER,
                "GRANT USAGE ON SCHEMA public TO " + APP,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + OWNER
                        + " IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + APP,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + OWNER + " IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "
                        + APP);
    }

    @AfterAll
    static void stop() throws SQLException {
        try {
            if (cluster != null) {
                cluster.stop();
            }
        } finally {
            String admin = PostgresResource.jdbcUrl().replaceFirst("/[^/?]+\\?", "/postgres?");
            try (Connection conn = DriverManager.getConnection(admin);
                    Statement statement = conn.createStatement()) {
                statement.execute("DROP ROLE IF EXISTS " + APP);
                statement.execute("DROP ROLE IF EXISTS " + OWNER);
            }
        }
    }

    @Test
    void theJobMigratesAsTheOwnerAndExitsAndTheGatewayRunsWithoutDdlRights() throws Exception {
        Map<String, String> base = cluster.env();
        Map<String, String> job = new HashMap<>();
        for (String key : List.of("CASCADE_DB_HOST", "CASCADE_DB_PORT", "CASCADE_DB_NAME")) {
            job.put(key, base.get(key));
        }
        job.put("QUARKUS_PROFILE", "prod");
        job.put("QUARKUS_INIT_AND_EXIT", "true");
        job.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "true");
        job.put("CASCADE_DB_USER", OWNER);
        job.put("CASCADE_DB_PASSWORD", "");
        job.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + GatewayProcess.freePort());
        try (GatewayProcess migration = GatewayProcess.start("migrate-job", job)) {
            await("the migration exits").atMost(Duration.ofSeconds(120)).until(() -> !migration.isAlive());
            assertThat(migration.stop(Duration.ofSeconds(5)))
                    .as(migration.tail(60))
                    .isZero();
        }

        long migrations;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            migrations = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .count();
        }
        assertThat(count("SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL"))
                .isEqualTo(migrations);
        assertThat(count(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> '" + OWNER + "'"))
                .as("every table belongs to the owner role")
                .isZero();
        assertThat(count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
                .isGreaterThan(10);

        Map<String, String> env = cluster.env();
        env.put("CASCADE_DB_USER", APP);
        env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "false");
        GatewayProcess gateway = cluster.startGateway("migrated-app", env);
        String workflowId = given().baseUri(gateway.baseUrl())
                .auth()
                .oauth2(cluster.apiKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "enrichment_type",
                        "partial",
                        "contacts",
                        List.of(Gateway.person(1), Gateway.person(2), Gateway.person(3))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200)
                .extract()
                .path("workflow_id");
        await("workflow terminal")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> "completed"
                        .equals(given().baseUri(gateway.baseUrl())
                                .auth()
                                .oauth2(cluster.apiKey())
                                .queryParam("workflow_id", workflowId)
                                .get("/api/v1/public/enrich/status")
                                .then()
                                .statusCode(200)
                                .extract()
                                .path("workflow.status")));
        // The application role cannot change the schema.
        try (Connection conn = DriverManager.getConnection(
                        PostgresResource.jdbcUrl().replaceFirst("user=[^&]+", "user=" + APP));
                Statement statement = conn.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> statement.execute("ALTER TABLE workflows ADD COLUMN nope integer"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("owner");
        }
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection conn = DriverManager.getConnection(PostgresResource.jdbcUrl());
                Statement statement = conn.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection conn = DriverManager.getConnection(PostgresResource.jdbcUrl());
                Statement statement = conn.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
