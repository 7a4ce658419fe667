package dev.cascade.testing;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A fresh PostgreSQL database for the test run: on the server named by {@code CASCADE_TEST_DB_HOST}/{@code _PORT}
 * (default 127.0.0.1:5432) when one answers there, else on an embedded server started for the run. The database
 * is dropped (and an embedded server stopped) afterwards.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    private static volatile String jdbcUrl;
    private EmbeddedPostgres embedded;
    private String adminUrl;
    private String database;

    /** JDBC URL of the test database, for assertions on what was (not) written. */
    public static String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public Map<String, String> start() {
        String host = env("CASCADE_TEST_DB_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("CASCADE_TEST_DB_PORT", "5432"));
        String user = env("CASCADE_TEST_DB_USER", "postgres");
        if (!answers(host, port)) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (Exception e) {
                throw new IllegalStateException(
                        "No PostgreSQL at " + host + ":" + port + " and none could be embedded", e);
            }
            host = "127.0.0.1";
            port = embedded.getPort();
            user = "postgres";
        }
        database =
                "cascade_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        adminUrl = "jdbc:postgresql://" + host + ":" + port + "/postgres?user=" + user;
        execute("CREATE DATABASE " + database);
        jdbcUrl = "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user;
        return Map.of(
                "cascade.db.host", host,
                "cascade.db.port", Integer.toString(port),
                "cascade.db.name", database,
                "quarkus.datasource.username", user);
    }

    @Override
    public void stop() {
        try {
            execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } finally {
            if (embedded != null) {
                try {
                    embedded.close();
                } catch (Exception e) {
                    throw new IllegalStateException("Could not stop the embedded PostgreSQL", e);
                }
            }
        }
    }

    private void execute(String sql) {
        try (Connection conn = DriverManager.getConnection(adminUrl);
                Statement statement = conn.createStatement()) {
            statement.execute(sql);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL refused: " + sql, e);
        }
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
