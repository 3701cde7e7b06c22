package io.securerelay.desk.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.securerelay.client.internal.Outbox;
import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.protocol.relay.SessionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * {@link DeskStore} on plain JDBC: H2 in a file or PostgreSQL, through a small HikariCP pool, the
 * schema kept by Flyway ({@code db/migration/desk}, history table {@value SchemaGate#HISTORY_TABLE}).
 *
 * <p>Guarantees: {@link #open} checks the database read-only first ({@link SchemaGate}) and refuses
 * one that is not empty and not the desk's, a newer schema, a failed or changed migration, or an
 * unreadable file, leaving it as it was; every change is one transaction, committed before the
 * method returns (on H2 with {@code WRITE_DELAY=0}, so a commit is in the file, in the OS, when it
 * returns: a killed process loses nothing committed). Times are stored to the microsecond. Exception
 * messages name the database and the SQLState, never a password, a key or a message text.
 */
public final class JdbcDeskStore implements DeskStore {
    private static final Logger LOG = Logger.getLogger(JdbcDeskStore.class.getName());
    /** H2 settings the desk always sets: a commit is written to the file at once, no trace file (it could hold texts). */
    static final String H2_SETTINGS = ";WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
    static final int MAX_LABEL = 200;
    static final int MAX_PAGE = 1000;
    private static final int POOL_SIZE = 6;
    private static final String CUSTOMER_COLUMNS = "id, label, session_id, public_key, status, presented_key,"
            + " presented_at, first_seen, last_seen";
    private static final String MESSAGE_COLUMNS = "id, customer_id, direction, number, sent_at, stored_at, text,"
            + " acknowledged, read";

    private final String name;
    private final HikariDataSource pool;
    private final Clock clock;

    private JdbcDeskStore(String name, HikariDataSource pool, Clock clock) {
        this.name = name;
        this.pool = pool;
        this.clock = clock;
    }

    /** Opens the database of {@code config} with the system clock. */
    public static JdbcDeskStore open(DeskDatabaseConfig config) {
        return open(config, Clock.systemUTC());
    }

    /**
     * Opens the database of {@code config}: checks it read-only, migrates it (a new database gets the
     * whole schema), and starts the pool.
     * @param clock gives the time a message is stored
     * @throws DeskStoreException with a sentence naming the database if it cannot be used; it is left as it was
     */
    public static JdbcDeskStore open(DeskDatabaseConfig config, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        String name = config.describe();
        String password = config.password();
        String url = config.url();
        boolean fresh = false;
        if (config.kind() == DeskDatabaseConfig.Kind.H2) {
            Path file = config.h2File();
            fresh = !Files.exists(file);
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new DeskStoreException("cannot create the folder of " + name + ": " + e.getMessage(), e);
            }
            url = url + H2_SETTINGS;
        }
        if (!fresh) {
            check(config, name, password);
        }
        HikariDataSource pool = null;
        try {
            HikariConfig hc = new HikariConfig();
            hc.setPoolName("desk");
            hc.setJdbcUrl(url);
            hc.setUsername(config.user());
            hc.setPassword(password);
            hc.setMaximumPoolSize(POOL_SIZE);
            hc.setMinimumIdle(1);
            hc.setAutoCommit(false);
            hc.setConnectionTimeout(30_000);
            pool = new HikariDataSource(hc);
            Flyway flyway = SchemaGate.flyway().dataSource(pool).load();
            int applied = flyway.migrate().migrationsExecuted;
            LOG.fine(() -> name + ": " + applied + " migration(s) applied");
            JdbcDeskStore store = new JdbcDeskStore(name, pool, clock);
            store.requireMarker();
            return store;
        } catch (DeskStoreException e) {
            closeQuietly(pool);
            throw e;
        } catch (FlywayException e) {
            closeQuietly(pool);
            throw new DeskStoreException("cannot migrate " + name + ": " + oneLine(e.getMessage()), e);
        } catch (RuntimeException e) { // HikariCP's PoolInitializationException and the like
            closeQuietly(pool);
            SQLException sql = sqlCause(e);
            throw new DeskStoreException("cannot open " + name + ": " + (sql != null ? explain(sql) : oneLine(e.getMessage())), e);
        }
    }

    /** Read-only admission check of an existing database (see {@link SchemaGate}). */
    private static void check(DeskDatabaseConfig config, String name, String password) {
        String roUrl = config.kind() == DeskDatabaseConfig.Kind.H2
                ? config.url() + ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE;TRACE_LEVEL_FILE=0"
                : config.url() + (config.url().contains("?") ? "&" : "?") + "readOnly=true&readOnlyMode=always";
        Properties login = new Properties();
        login.setProperty("user", config.user());
        login.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(roUrl, login)) {
            c.setReadOnly(true);
            Flyway flyway = SchemaGate.flyway().dataSource(roUrl, config.user(), password).load();
            SchemaGate.check(name, c, flyway);
        } catch (SQLException e) {
            boolean h2 = config.kind() == DeskDatabaseConfig.Kind.H2;
            String why = explain(e);
            if (h2 && why.equals(other(e))) { // not a login or lock problem: the file itself
                why = "it is not a readable H2 database (corrupt, not an H2 2.x file, or no database at all): "
                        + oneLine(e.getMessage());
            }
            throw new DeskStoreException("cannot open " + name + ": " + why + "; it was left as it is", e);
        } catch (FlywayException e) {
            SQLException sql = sqlCause(e);
            throw new DeskStoreException("cannot check the schema of " + name + ": "
                    + (sql != null ? explain(sql) : oneLine(e.getMessage())) + "; it was left as it is", e);
        }
    }

    private static String explain(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) {
            return "the user or password is wrong (SQLState " + state + ")";
        }
        if (e.getErrorCode() == 90020) {
            return "it is in use by another process";
        }
        if (state.startsWith("08")) {
            return "no connection (" + oneLine(e.getMessage()) + ")";
        }
        return other(e);
    }

    private static String other(SQLException e) {
        return oneLine(e.getMessage()) + " (SQLState " + e.getSQLState() + ")";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 400 ? one.substring(0, 400) + "..." : one;
    }

    private static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                return (SQLException) c;
            }
        }
        return null;
    }

    private static void closeQuietly(HikariDataSource pool) {
        if (pool != null) {
            pool.close();
        }
    }

    private void requireMarker() {
        read("check the desk marker", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT application FROM desk_database WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !"secure-relay bank desk".equals(rs.getString(1))) {
                    throw new DeskStoreException(name + " has no desk marker row: not a desk database");
                }
                return null;
            }
        });
    }

    @Override
    public String describe() {
        return name;
    }

    // ---- customers --------------------------------------------------------------------------

    @Override
    public Optional<Customer> customer(long id) {
        return read("read customer " + id, c -> findCustomer(c, "id = ?", ps -> ps.setLong(1, id)));
    }

    @Override
    public Optional<Customer> customerBySession(SessionId sessionId) {
        String hex = sessionId.toHex();
        return read("read a customer by session", c -> findCustomer(c, "session_id = ?", ps -> ps.setString(1, hex)));
    }

    @Override
    public Optional<Customer> customerByKey(IdentityPublicKey key) {
        String fp = key.fingerprint();
        return read("read a customer by key", c -> findCustomer(c, "fingerprint = ?", ps -> ps.setString(1, fp)));
    }

    @Override
    public List<Customer> customers() {
        return read("list customers", c -> {
            List<Customer> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CUSTOMER_COLUMNS + " FROM customers ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(customerOf(rs));
                }
            }
            return all;
        });
    }

    @Override
    public Customer addCustomer(String label, SessionId sessionId, IdentityPublicKey key, Instant now) {
        String l = label(label);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(now, "now");
        return write("add a customer", c -> {
            if (findCustomer(c, "fingerprint = ?", ps -> ps.setString(1, key.fingerprint())).isPresent()) {
                throw new DeskStoreException.Conflict("the key " + key.fingerprint() + " is already a customer's");
            }
            if (sessionId != null
                    && findCustomer(c, "session_id = ?", ps -> ps.setString(1, sessionId.toHex())).isPresent()) {
                throw new DeskStoreException.Conflict("the session " + sessionId.shortForm() + " is already a customer's");
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (label, session_id, public_key,"
                    + " fingerprint, status, first_seen, last_seen) VALUES (?, ?, ?, ?, 'TRUSTED', ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, l);
                ps.setString(2, sessionId == null ? null : sessionId.toHex());
                ps.setBytes(3, key.spki());
                ps.setString(4, key.fingerprint());
                ps.setObject(5, ts(now));
                ps.setObject(6, ts(now));
                ps.executeUpdate();
                id = generatedId(ps);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO conversation_counters (customer_id, next_out,"
                    + " acked_out, last_in) VALUES (?, 1, 0, 0)")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            LOG.fine(() -> name + ": customer " + id + " added");
            return existing(c, id);
        });
    }

    @Override
    public Customer bindSession(long customerId, SessionId sessionId, Instant now) {
        Objects.requireNonNull(sessionId, "sessionId");
        return write("bind customer " + customerId + " to a session", c -> {
            Optional<Customer> holder = findCustomer(c, "session_id = ?", ps -> ps.setString(1, sessionId.toHex()));
            if (holder.isPresent() && holder.get().id() != customerId) {
                throw new DeskStoreException.Conflict("the session " + sessionId.shortForm() + " is customer "
                        + holder.get().id() + "'s, not " + customerId + "'s");
            }
            update(c, customerId, "UPDATE customers SET session_id = ?, last_seen = ? WHERE id = ?", ps -> {
                ps.setString(1, sessionId.toHex());
                ps.setObject(2, ts(now));
                ps.setLong(3, customerId);
            });
            return existing(c, customerId);
        });
    }

    @Override
    public Customer keyChanged(long customerId, IdentityPublicKey presented, Instant now) {
        Objects.requireNonNull(presented, "presented");
        return write("record a changed key of customer " + customerId, c -> {
            update(c, customerId, "UPDATE customers SET status = 'KEY_CHANGED', presented_key = ?,"
                    + " presented_fingerprint = ?, presented_at = ?, last_seen = ? WHERE id = ?", ps -> {
                        ps.setBytes(1, presented.spki());
                        ps.setString(2, presented.fingerprint());
                        ps.setObject(3, ts(now));
                        ps.setObject(4, ts(now));
                        ps.setLong(5, customerId);
                    });
            return existing(c, customerId);
        });
    }

    @Override
    public Customer retrust(long customerId, IdentityPublicKey key, Instant now) {
        Objects.requireNonNull(key, "key");
        return write("re-trust customer " + customerId, c -> {
            Optional<Customer> holder = findCustomer(c, "fingerprint = ?", ps -> ps.setString(1, key.fingerprint()));
            if (holder.isPresent() && holder.get().id() != customerId) {
                throw new DeskStoreException.Conflict("the key " + key.fingerprint() + " is customer "
                        + holder.get().id() + "'s, not " + customerId + "'s");
            }
            update(c, customerId, "UPDATE customers SET public_key = ?, fingerprint = ?, status = 'TRUSTED',"
                    + " presented_key = NULL, presented_fingerprint = NULL, presented_at = NULL, last_seen = ?"
                    + " WHERE id = ?", ps -> {
                        ps.setBytes(1, key.spki());
                        ps.setString(2, key.fingerprint());
                        ps.setObject(3, ts(now));
                        ps.setLong(4, customerId);
                    });
            return existing(c, customerId);
        });
    }

    @Override
    public Customer rename(long customerId, String label) {
        String l = label(label);
        return write("rename customer " + customerId, c -> {
            update(c, customerId, "UPDATE customers SET label = ? WHERE id = ?", ps -> {
                ps.setString(1, l);
                ps.setLong(2, customerId);
            });
            return existing(c, customerId);
        });
    }

    @Override
    public void seen(long customerId, Instant now) {
        write("record activity of customer " + customerId, c -> {
            update(c, customerId, "UPDATE customers SET last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END"
                    + " WHERE id = ?", ps -> {
                        ps.setObject(1, ts(now));
                        ps.setObject(2, ts(now));
                        ps.setLong(3, customerId);
                    });
            return null;
        });
    }

    // ---- messages ---------------------------------------------------------------------------

    @Override
    public Outbox outbox(long customerId) throws Outbox.StoreException {
        try {
            return JdbcOutbox.load(this, customerId);
        } catch (SQLException e) {
            throw new Outbox.StoreException("cannot read the conversation of customer " + customerId + " in " + name
                    + " (SQLState " + e.getSQLState() + ")", sanitized(e));
        }
    }

    @Override
    public List<Message> messages(long customerId, long after, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("a page holds 1 to " + MAX_PAGE + " messages, not " + limit);
        }
        return read("read messages of customer " + customerId, c -> {
            List<Message> page = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages"
                    + " WHERE customer_id = ? AND id > ? ORDER BY id LIMIT ?")) {
                ps.setLong(1, customerId);
                ps.setLong(2, after);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(messageOf(rs));
                    }
                }
            }
            return page;
        });
    }

    @Override
    public Optional<Message> message(long id) {
        return read("read message " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(messageOf(rs)) : Optional.<Message>empty();
                }
            }
        });
    }

    @Override
    public Optional<Message> messageByNumber(long customerId, Direction direction, long number) {
        return read("read message " + number + " of customer " + customerId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages"
                    + " WHERE customer_id = ? AND direction = ? AND number = ?")) {
                ps.setLong(1, customerId);
                ps.setString(2, direction.name());
                ps.setLong(3, number);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(messageOf(rs)) : Optional.<Message>empty();
                }
            }
        });
    }

    @Override
    public Counts totals() {
        return read("count all messages", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT"
                    + " SUM(CASE WHEN direction = 'IN' AND read = FALSE THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN direction = 'OUT' AND acknowledged = FALSE THEN 1 ELSE 0 END),"
                    + " MAX(stored_at) FROM messages")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Counts(rs.getLong(1), rs.getLong(2), instant(rs, 3));
                }
            }
        });
    }

    @Override
    public void markRead(long customerId, long upTo) {
        write("mark messages of customer " + customerId + " read", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET read = TRUE WHERE customer_id = ?"
                    + " AND direction = 'IN' AND id <= ? AND read = FALSE")) {
                ps.setLong(1, customerId);
                ps.setLong(2, upTo);
                int n = ps.executeUpdate();
                LOG.fine(() -> name + ": customer " + customerId + ": " + n + " message(s) read up to " + upTo);
            }
            return null;
        });
    }

    @Override
    public Counts counts(long customerId) {
        return read("count messages of customer " + customerId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT"
                    + " SUM(CASE WHEN direction = 'IN' AND read = FALSE THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN direction = 'OUT' AND acknowledged = FALSE THEN 1 ELSE 0 END),"
                    + " MAX(stored_at) FROM messages WHERE customer_id = ?")) {
                ps.setLong(1, customerId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Counts(rs.getLong(1), rs.getLong(2), instant(rs, 3));
                }
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- plumbing, shared with JdbcOutbox ----------------------------------------------------

    /** A unit of work on one connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Binds parameters. */
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    String name() {
        return name;
    }

    Instant now() {
        return clock.instant();
    }

    /** Runs {@code work} in one transaction and commits it before returning; rolls back on any failure. */
    <T> T transaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                T r = work.run(c);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException again) {
                    e.addSuppressed(sanitized(again));
                }
                throw e;
            }
        }
    }

    private <T> T write(String what, Work<T> work) {
        try {
            return transaction(work);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new DeskStoreException.Conflict("cannot " + what + " in " + name + ": the key or session"
                        + " is already a customer's (changed at the same time)");
            }
            throw new DeskStoreException("cannot " + what + " in " + name + " (SQLState " + e.getSQLState() + ")",
                    sanitized(e));
        }
    }

    private <T> T read(String what, Work<T> work) {
        return write(what, work);
    }

    /**
     * The exception without its message (drivers put row values, i.e. texts and keys, in it), with its
     * SQLState, error code and stack trace, so that logs of the cause hold no data.
     */
    static SQLException sanitized(SQLException e) {
        SQLException s = new SQLException(e.getClass().getSimpleName() + ", SQLState " + e.getSQLState()
                + ", error " + e.getErrorCode(), e.getSQLState(), e.getErrorCode());
        s.setStackTrace(e.getStackTrace());
        return s;
    }

    static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("no generated id", "HY000");
            }
            return keys.getLong("id");
        }
    }

    private static String label(String label) {
        String l = Objects.requireNonNull(label, "label").strip();
        if (l.isEmpty() || l.length() > MAX_LABEL || l.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a customer's label is 1 to " + MAX_LABEL
                    + " characters without control characters");
        }
        return l;
    }

    private void update(Connection c, long customerId, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            if (ps.executeUpdate() != 1) {
                throw new DeskStoreException("no customer " + customerId + " in " + name);
            }
        }
    }

    private Customer existing(Connection c, long id) throws SQLException {
        return findCustomer(c, "id = ?", ps -> ps.setLong(1, id))
                .orElseThrow(() -> new DeskStoreException("no customer " + id + " in " + name));
    }

    private Optional<Customer> findCustomer(Connection c, String where, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CUSTOMER_COLUMNS + " FROM customers WHERE " + where)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(customerOf(rs)) : Optional.empty();
            }
        }
    }

    private Customer customerOf(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        String session = rs.getString(3);
        byte[] presented = rs.getBytes(6);
        try {
            return new Customer(id, rs.getString(2), session == null ? null : SessionId.parse(session),
                    IdentityPublicKey.fromSpki(rs.getBytes(4)), Status.valueOf(rs.getString(5)),
                    presented == null ? null : IdentityPublicKey.fromSpki(presented), instant(rs, 7),
                    instant(rs, 8), instant(rs, 9));
        } catch (InvalidPublicKeyException | IllegalArgumentException e) {
            throw new DeskStoreException("customer " + id + " in " + name + " holds an invalid key or session ID"
                    + " (the database was changed by something else than the desk)");
        }
    }

    private Message messageOf(ResultSet rs) throws SQLException {
        return new Message(rs.getLong(1), rs.getLong(2), Direction.valueOf(rs.getString(3)), rs.getLong(4),
                instant(rs, 5), instant(rs, 6), rs.getString(7), rs.getBoolean(8), rs.getBoolean(9));
    }
}
