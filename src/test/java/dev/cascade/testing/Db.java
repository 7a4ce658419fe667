package dev.cascade.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Direct access to the gateway's test database, for seeding what a crash or a foreign producer leaves behind. */
public final class Db {
    private Db() {}

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(PostgresResource.jdbcUrl());
    }

    /** The organisation's DEFAULT list, created when it has none yet (so one tenant can hold many workflows). */
    public static UUID defaultList(Connection conn, UUID org) throws SQLException {
        try (PreparedStatement query =
                conn.prepareStatement("SELECT id FROM lead_lists WHERE org_id = ? AND is_default")) {
            query.setObject(1, org);
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next()) {
                    return rows.getObject(1, UUID.class);
                }
            }
        }
        UUID list = UUID.randomUUID();
        exec(conn, "INSERT INTO lead_lists (id, org_id, name, is_default) VALUES (?, ?, 'DEFAULT', true)", list, org);
        return list;
    }

    /**
     * A new workflow of the organisation in its DEFAULT list, with {@code columns} set to {@code values} (SQL, after
     * the id, organisation and list); its id.
     */
    public static String workflow(Connection conn, UUID org, String columns, String values) throws SQLException {
        String workflowId = "public_bulk_" + UUID.randomUUID();
        exec(
                conn,
                "INSERT INTO workflows (id, org_id, lead_list_id, " + columns + ") VALUES (?, ?, ?, " + values + ")",
                workflowId,
                org,
                defaultList(conn, org));
        return workflowId;
    }

    /** A `pending` task of the workflow, as the submit writes it (its record may or may not be on the topic). */
    public static void pendingTask(
            Connection conn, UUID taskId, String workflowId, UUID org, UUID list, int idx, String contactJson)
            throws SQLException {
        exec(
                conn,
                "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact)"
                        + " VALUES (?, ?, ?, ?, ?, 'pending', ?::jsonb)",
                taskId,
                workflowId,
                org,
                list,
                idx,
                contactJson);
    }

    /** A contact's JSON as the task rows hold it, the n-th of a family of test people at acme.com. */
    public static String person(int n) {
        return "{\"first_name\":\"Ann\",\"last_name\":\"Lee" + n + "\",\"company_domain\":\"acme.com\"}";
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
