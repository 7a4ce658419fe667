package dev.cascade.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Direct access to the gateway's test database, for seeding what a crash or a foreign producer leaves behind. */
public final class Db {
    private Db() {}

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(PostgresResource.jdbcUrl());
    }

    /** Inserts the organisation's DEFAULT lead list and answers its id. */
    public static java.util.UUID defaultList(Connection conn, java.util.UUID org) throws SQLException {
        java.util.UUID list = java.util.UUID.randomUUID();
        exec(conn, "INSERT INTO lead_lists (id, org_id, name, is_default) VALUES (?, ?, 'DEFAULT', true)", list, org);
        return list;
    }

    public static void exec(Connection conn, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.executeUpdate();
        }
    }
}
