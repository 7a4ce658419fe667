import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Creates a PostgreSQL database when it does not exist yet, for machines without psql (a JDK only).
 *
 * <p>Run as a single-file program with the PostgreSQL JDBC driver on the class path:
 * {@code java -cp postgresql.jar scripts/lib/CreateDb.java HOST PORT USER DBNAME}; the password, if any,
 * comes from the {@code PGPASSWORD} environment variable. Exit code 0 when the database exists afterwards.
 */
public class CreateDb {

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: java -cp postgresql.jar CreateDb.java HOST PORT USER DBNAME");
      System.exit(2);
    }
    String host = args[0];
    String port = args[1];
    String user = args[2];
    String dbName = args[3];
    // The name is interpolated into CREATE DATABASE (identifiers cannot be bound): allow plain names only.
    if (!dbName.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      System.err.println("[cascade] ERROR: unsupported database name: " + dbName);
      System.exit(2);
    }
    Properties props = new Properties();
    props.setProperty("user", user);
    String password = System.getenv("PGPASSWORD");
    if (password != null && !password.isEmpty()) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", "10");
    props.setProperty("ApplicationName", "cascade-local-createdb");

    SQLException last = null;
    // The maintenance database "postgres" normally exists; template1 always does.
    for (String maintenanceDb : new String[] {"postgres", "template1"}) {
      String url = "jdbc:postgresql://" + host + ":" + port + "/" + maintenanceDb;
      try (Connection conn = DriverManager.getConnection(url, props)) {
        if (exists(conn, dbName)) {
          System.err.println("[cascade] database " + dbName + " exists");
        } else {
          try (Statement st = conn.createStatement()) {
            st.execute("CREATE DATABASE \"" + dbName + "\"");
          }
          System.err.println("[cascade] database " + dbName + " created");
        }
        return;
      } catch (SQLException e) {
        // 3D000: the maintenance database is missing; try the next one. Anything else is final.
        if (!"3D000".equals(e.getSQLState())) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private static boolean exists(Connection conn, String dbName) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, dbName);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
