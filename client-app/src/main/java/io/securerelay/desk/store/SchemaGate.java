package io.securerelay.desk.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.TreeSet;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Decides, without writing anything, whether a database may be migrated and used by the desk:
 * empty, or the desk's own (its marker table and its schema history, every applied migration known
 * to this code, checksums equal, none failed). Everything it does goes through a read-only
 * connection (H2 {@code ACCESS_MODE_DATA=r}, PostgreSQL {@code readOnlyMode=always}), so a refused
 * database is left byte for byte as it was.
 */
final class SchemaGate {
    static final String HISTORY_TABLE = "desk_schema_history";
    static final String MARKER_TABLE = "desk_database";
    static final String LOCATION = "classpath:db/migration/desk";

    /** What the gate found. */
    enum Verdict { EMPTY, OURS }

    private SchemaGate() {
    }

    /** The Flyway settings used for checking and for migrating: never baseline, never clean, validate always. */
    static FluentConfiguration flyway() {
        return Flyway.configure(SchemaGate.class.getClassLoader())
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .baselineOnMigrate(false)
                .validateOnMigrate(true)
                .cleanDisabled(true)
                .outOfOrder(false)
                .failOnMissingLocations(true) // a packaging that lost the migrations fails here, loudly
                .validateMigrationNaming(true)
                .ignoreMigrationPatterns("*:pending"); // not "*:future": a newer schema is refused
    }

    /**
     * @param readOnly a connection that cannot write (the caller made it so)
     * @param flyway   Flyway on a read-only data source for the same database
     * @throws DeskStoreException naming {@code name} if the database is not empty and not the desk's
     */
    static Verdict check(String name, Connection readOnly, Flyway flyway) throws SQLException {
        TreeSet<String> tables = tables(readOnly);
        if (tables.isEmpty()) {
            return Verdict.EMPTY;
        }
        if (!tables.contains(HISTORY_TABLE)) {
            throw new DeskStoreException(name + " holds " + tables.size() + " table(s) (" + sample(tables)
                    + ") but no desk schema history: it is not the desk's database, and the desk does not touch it."
                    + " Give the desk an empty database or its own.");
        }
        if (!tables.contains(MARKER_TABLE)) {
            throw new DeskStoreException(name + " has a table " + HISTORY_TABLE + " but not the desk's marker table "
                    + MARKER_TABLE + ": it is not a desk database, and it was left as it is.");
        }
        for (MigrationInfo m : flyway.info().all()) {
            MigrationState s = m.getState();
            if (s == MigrationState.FUTURE_SUCCESS || s == MigrationState.FUTURE_FAILED) {
                throw new DeskStoreException(name + " has schema version " + m.getVersion() + ", newer than this desk"
                        + " knows (" + latestKnown(flyway) + "); run the newer desk version. The database was left as it is.");
            }
            if (s == MigrationState.FAILED || s.isFailed()) {
                throw new DeskStoreException(name + ": migration " + m.getVersion() + " (" + m.getDescription()
                        + ") failed earlier; restore the database from a backup. It was left as it is.");
            }
            if (s == MigrationState.MISSING_SUCCESS || s == MigrationState.IGNORED) {
                throw new DeskStoreException(name + ": applied migration " + m.getVersion() + " (" + m.getDescription()
                        + ") is not one of this desk's (state " + s + "); it was left as it is.");
            }
        }
        ValidateResult v = flyway.validateWithResult();
        if (!v.validationSuccessful) {
            StringBuilder why = new StringBuilder();
            for (ValidateOutput o : v.invalidMigrations) {
                why.append(' ').append(o.version).append(": ")
                        .append(o.errorDetails == null ? "invalid" : o.errorDetails.errorMessage.replaceAll("\\s+", " "))
                        .append('.');
            }
            if (why.length() == 0 && v.errorDetails != null) {
                why.append(' ').append(v.errorDetails.errorMessage.replaceAll("\\s+", " "));
            }
            throw new DeskStoreException(name + " does not match this desk's migrations (a migration was changed"
                    + " after it was applied, or the history was edited):" + why + " It was left as it is.");
        }
        return Verdict.OURS;
    }

    private static String latestKnown(Flyway flyway) {
        String latest = "none";
        for (MigrationInfo m : flyway.info().all()) {
            if (m.getState().isResolved() && m.getVersion() != null) {
                latest = "up to version " + m.getVersion();
            }
        }
        return latest;
    }

    /** Tables and views in the connection's current schema, lower case. */
    private static TreeSet<String> tables(Connection c) throws SQLException {
        TreeSet<String> names = new TreeSet<>();
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE", "VIEW"})) {
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static String sample(TreeSet<String> tables) {
        StringBuilder s = new StringBuilder();
        int n = 0;
        for (String t : tables) {
            if (n++ == 3) {
                s.append(", ...");
                break;
            }
            s.append(n == 1 ? "" : ", ").append(t);
        }
        return s.toString();
    }
}
