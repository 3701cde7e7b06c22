package io.securerelay.desk.store;

import io.securerelay.client.internal.Outbox;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * One customer's conversation state in the desk's database, as the engine's {@link Outbox}. The
 * numbers and the unacknowledged texts are kept in memory (loaded when opened, like
 * {@code FileOutbox}); every change is one transaction committed before the method returns.
 *
 * <p>The database guards the numbers too: {@code enqueue} moves {@code next_out} only from the value
 * this instance holds (a second instance for the same customer fails instead of reusing a number),
 * {@code delivered} moves {@code last_in} only forward (a repeated number stores nothing), and
 * (customer, direction, number) is unique. After a failed call the state is read again from the
 * database before the next one, so a commit whose outcome was unknown is never repeated blindly.
 * Not thread-safe: the conversation's loop owns it.
 */
final class JdbcOutbox implements Outbox {
    private static final Logger LOG = Logger.getLogger(JdbcOutbox.class.getName());

    private final JdbcDeskStore store;
    private final long customerId;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private long nextOut;
    private long ackedOut;
    private long lastIn;
    private boolean stale;

    private JdbcOutbox(JdbcDeskStore store, long customerId) {
        this.store = store;
        this.customerId = customerId;
    }

    static JdbcOutbox load(JdbcDeskStore store, long customerId) throws SQLException, StoreException {
        JdbcOutbox o = new JdbcOutbox(store, customerId);
        if (!store.transaction(o::reload)) {
            throw new StoreException("no customer " + customerId + " in " + store.name());
        }
        return o;
    }

    /** Reads the counters and the pending texts; false if the customer has no conversation row. */
    private boolean reload(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT next_out, acked_out, last_in FROM conversation_counters"
                + " WHERE customer_id = ?")) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                nextOut = rs.getLong(1);
                ackedOut = rs.getLong(2);
                lastIn = rs.getLong(3);
            }
        }
        pending.clear();
        try (PreparedStatement ps = c.prepareStatement("SELECT number, sent_at, text FROM messages WHERE customer_id = ?"
                + " AND direction = 'OUT' AND number > ? ORDER BY number")) {
            ps.setLong(1, customerId);
            ps.setLong(2, ackedOut);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long n = rs.getLong(1);
                    pending.put(n, new Pending(n, JdbcDeskStore.instant(rs, 2).toEpochMilli(), rs.getString(3)));
                }
            }
        }
        stale = false;
        LOG.fine(() -> "customer " + customerId + ": nextOut " + nextOut + ", ackedOut " + ackedOut + ", lastIn "
                + lastIn + ", " + pending.size() + " pending");
        return true;
    }

    private void refreshIfStale() throws IOException {
        if (stale) {
            try {
                if (!store.transaction(this::reload)) {
                    throw new IOException("customer " + customerId + " is no longer in " + store.name());
                }
            } catch (SQLException e) {
                throw failure("read the conversation", e);
            }
        }
    }

    private IOException failure(String what, SQLException e) {
        stale = true;
        return new IOException("cannot " + what + " of customer " + customerId + " in " + store.name()
                + " (SQLState " + e.getSQLState() + ")", JdbcDeskStore.sanitized(e));
    }

    @Override
    public String describe() {
        return store.name() + ", customer " + customerId;
    }

    @Override
    public Pending enqueue(String text, long sentAtMillis) throws IOException {
        java.util.Objects.requireNonNull(text, "text");
        refreshIfStale();
        long n = nextOut;
        Instant storedAt = store.now();
        try {
            store.transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE conversation_counters SET next_out = ?"
                        + " WHERE customer_id = ? AND next_out = ?")) {
                    ps.setLong(1, n + 1);
                    ps.setLong(2, customerId);
                    ps.setLong(3, n);
                    if (ps.executeUpdate() != 1) {
                        throw new SQLException("the conversation's numbers were moved by another writer", "40001");
                    }
                }
                insert(c, "OUT", n, sentAtMillis, storedAt, text, false, true);
                return null;
            });
        } catch (SQLException e) {
            throw failure("store an outgoing message", e);
        }
        nextOut = n + 1;
        Pending p = new Pending(n, sentAtMillis, text);
        pending.put(n, p);
        LOG.fine(() -> "customer " + customerId + ": OUT " + n + " stored");
        return p;
    }

    @Override
    public void acknowledged(long upTo) throws IOException {
        refreshIfStale();
        if (upTo <= ackedOut) {
            return;
        }
        long acked = Math.min(upTo, nextOut - 1);
        if (acked <= ackedOut) {
            return;
        }
        try {
            store.transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE conversation_counters SET acked_out = ?"
                        + " WHERE customer_id = ? AND acked_out < ?")) {
                    ps.setLong(1, acked);
                    ps.setLong(2, customerId);
                    ps.setLong(3, acked);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET acknowledged = TRUE"
                        + " WHERE customer_id = ? AND direction = 'OUT' AND number <= ? AND acknowledged = FALSE")) {
                    ps.setLong(1, customerId);
                    ps.setLong(2, acked);
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw failure("store an acknowledgement", e);
        }
        ackedOut = acked;
        pending.headMap(acked + 1).clear();
        LOG.fine(() -> "customer " + customerId + ": acknowledged up to " + acked);
    }

    @Override
    public void delivered(long n, long sentAtMillis, String text) throws IOException {
        java.util.Objects.requireNonNull(text, "text");
        if (n < 1) {
            throw new IllegalArgumentException("message numbers start at 1");
        }
        refreshIfStale();
        if (n <= lastIn) {
            LOG.fine(() -> "customer " + customerId + ": IN " + n + " was delivered before");
            return;
        }
        Instant storedAt = store.now();
        boolean stored;
        try {
            stored = store.transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE conversation_counters SET last_in = ?"
                        + " WHERE customer_id = ? AND last_in < ?")) {
                    ps.setLong(1, n);
                    ps.setLong(2, customerId);
                    ps.setLong(3, n);
                    if (ps.executeUpdate() != 1) {
                        return false; // delivered already (by an earlier instance): store nothing
                    }
                }
                insert(c, "IN", n, sentAtMillis, storedAt, text, true, false);
                return true;
            });
        } catch (SQLException e) {
            throw failure("store an incoming message", e);
        }
        if (stored) {
            lastIn = n;
            LOG.fine(() -> "customer " + customerId + ": IN " + n + " stored");
        } else {
            stale = true; // another writer moved last_in: read it again before the next call
        }
    }

    private void insert(Connection c, String direction, long n, long sentAtMillis, Instant storedAt, String text,
            boolean acknowledged, boolean read) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO messages (customer_id, direction, number, sent_at,"
                + " stored_at, text, acknowledged, read) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, customerId);
            ps.setString(2, direction);
            ps.setLong(3, n);
            ps.setObject(4, JdbcDeskStore.ts(Instant.ofEpochMilli(sentAtMillis)));
            ps.setObject(5, JdbcDeskStore.ts(storedAt));
            ps.setString(6, text);
            ps.setBoolean(7, acknowledged);
            ps.setBoolean(8, read);
            ps.executeUpdate();
        }
    }

    @Override
    public SortedMap<Long, Pending> pending() {
        return Collections.unmodifiableSortedMap(pending);
    }

    @Override
    public long nextOut() {
        return nextOut;
    }

    @Override
    public long ackedOut() {
        return ackedOut;
    }

    @Override
    public long lastIn() {
        return lastIn;
    }
}
