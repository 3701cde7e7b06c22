package io.securerelay.desk.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.desk.store.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store suite on a real PostgreSQL server started for this class ({@link PostgresCluster}: TLS
 * required, SCRAM, the least-privilege role {@code desk}), plus what that server must refuse. Without
 * PostgreSQL installed the class is skipped, except under {@code CI=true} where it fails
 * ({@code .ci/run} installs Debian's {@code postgresql}).
 */
class PostgresDeskStoreTest extends DeskStoreContract {
    private static final String PASSWORD_VARIABLE = "DESK_TEST_DB_PASSWORD";
    private static PostgresCluster pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        Optional<Path> bin = PostgresCluster.binDir();
        if (bin.isEmpty()) {
            if (PostgresCluster.required()) {
                throw new AssertionError("CI=true but PostgreSQL (initdb, pg_ctl) is not installed: .ci/run installs it");
            }
            Assumptions.abort("PostgreSQL is not installed (apt-get install postgresql); skipping the PostgreSQL tests");
        }
        pg = PostgresCluster.start(bin.get());
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected DeskDatabaseConfig newDatabase() throws Exception {
        return pg.newDeskDatabase();
    }

    @Override
    protected Connection raw(DeskDatabaseConfig config) throws Exception {
        return pg.desk(PostgresCluster.database(config));
    }

    /** Every table and view of the database's schemas desk and public, with a digest of its rows (read as the superuser). */
    @Override
    protected Object snapshot(DeskDatabaseConfig config) throws Exception {
        String db = PostgresCluster.database(config);
        Map<String, String> tables = new TreeMap<>();
        try (Connection c = pg.superuser(db); Statement st = c.createStatement()) {
            List<String> names = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_schema || '.' || table_name FROM information_schema.tables"
                    + " WHERE table_schema IN ('desk', 'public')")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String t : names) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|'"
                        + " ORDER BY x::text)), '') FROM " + t + " x")) {
                    rs.next();
                    tables.put(t, rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace")) {
                rs.next();
                tables.put("schemas", rs.getString(1));
            }
        }
        return tables;
    }

    @Override
    protected List<String> childArguments(DeskDatabaseConfig config, Map<String, String> env) throws Exception {
        env.put(PASSWORD_VARIABLE, Files.readString(pg.deskPasswordFile()).strip());
        return List.of("pg", config.url(), config.user(), PASSWORD_VARIABLE);
    }

    @Test
    void describesItselfWithoutThePassword() {
        try (JdbcDeskStore s = open()) {
            assertEquals("PostgreSQL desk@127.0.0.1:" + pg.port() + "/" + PostgresCluster.database(db), s.describe());
            assertFalse(db.toString().contains(pg.deskPassword()));
        }
    }

    @Test
    void theDeskRoleHasNoPowerBeyondItsSchema() throws Exception {
        open().close();
        String db = PostgresCluster.database(this.db);
        try (Connection c = pg.desk(db); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication,"
                    + " rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
                assertTrue(rs.next());
                for (int i = 1; i <= 5; i++) {
                    assertFalse(rs.getBoolean(i), "role attribute " + i);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT current_schema()")) {
                rs.next();
                assertEquals("desk", rs.getString(1));
            }
            assertDenied(st, "CREATE DATABASE stolen");
            assertDenied(st, "SELECT rolpassword FROM pg_authid");
            assertDenied(st, "CREATE ROLE helper LOGIN");
            assertDenied(st, "CREATE TABLE public.elsewhere (id INTEGER)");
            assertDenied(st, "CREATE SCHEMA other");
            assertDenied(st, "ALTER SYSTEM SET ssl = off");
            assertDenied(st, "COPY desk.customers TO '/tmp/customers.csv'");
        }
        SQLException otherDb = assertThrows(SQLException.class, () -> pg.desk("postgres").close());
        assertEquals("42501", otherDb.getSQLState(), "no CONNECT on other databases: " + otherDb.getMessage());
    }

    private static void assertDenied(Statement st, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
        assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
    }

    @Test
    void theServerRefusesAConnectionWithoutTls() {
        String db = PostgresCluster.database(this.db);
        SQLException e = assertThrows(SQLException.class,
                () -> PostgresCluster.connect(pg.url(db, "disable"), PostgresCluster.DESK_ROLE, pg.deskPassword()).close());
        assertEquals("28000", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains("no encryption"), e.getMessage());
    }

    @Test
    void theClientRefusesAServerCertificateForAnotherName() {
        String url = pg.url(PostgresCluster.database(db), "verify-full").replace("127.0.0.1", "localhost");
        SQLException e = assertThrows(SQLException.class,
                () -> PostgresCluster.connect(url, PostgresCluster.DESK_ROLE, pg.deskPassword()).close());
        assertEquals("08006", e.getSQLState(), e.getMessage());
    }

    @Test
    void aWrongPasswordIsRefusedWithoutShowingIt() throws Exception {
        Path wrong = Files.createTempFile("desk-wrong", ".password");
        try {
            Files.writeString(wrong, "not-the-right-s3cret\n");
            DeskDatabaseConfig bad = DeskDatabaseConfig.withPasswordFile(db.url(), db.user(), wrong);
            DeskStoreException e = assertThrows(DeskStoreException.class, () -> JdbcDeskStore.open(bad, clock));
            assertTrue(e.getMessage().contains(db.describe()), e.getMessage());
            assertTrue(e.getMessage().contains("user or password is wrong"), e.getMessage());
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains("s3cret"), "the password is in " + t);
            }
        } finally {
            Files.delete(wrong);
        }
    }
}
