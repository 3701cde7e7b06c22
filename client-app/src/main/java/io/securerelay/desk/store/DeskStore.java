package io.securerelay.desk.store;

import io.securerelay.client.internal.Outbox;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.protocol.relay.SessionId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The bank desk's database: customers (the trust store of many peers), every message of every
 * conversation with its acknowledgement state, and each conversation's outbox and numbers.
 * Schema versions are migrations (Flyway, {@code db/migration/desk}); H2 in a file by default,
 * PostgreSQL by JDBC URL. Thread-safe: the engine's loops and the REST threads call it at once.
 *
 * <p>Nothing in it is ever overwritten or migrated when it is not the desk's: a database that
 * holds other tables, a newer schema, or a corrupt file is refused with a {@link DeskStoreException}
 * that says so, and left as it is.
 */
public interface DeskStore extends AutoCloseable {

    /** Trust state of a customer's key. */
    enum Status { TRUSTED, KEY_CHANGED }

    /** Direction of a message. */
    enum Direction { IN, OUT }

    /**
     * A customer.
     * @param sessionId          the session ID it calls from; null if registered from a file and never seen
     * @param publicKey          the trusted identity key
     * @param presentedKey       when KEY_CHANGED, the refused key it presented last; else null
     * @param presentedAt        when that key was presented; else null
     */
    record Customer(long id, String label, SessionId sessionId, IdentityPublicKey publicKey, Status status,
            IdentityPublicKey presentedKey, Instant presentedAt, Instant firstSeen, Instant lastSeen) {
    }

    /**
     * A stored message. {@code id} increases over all conversations (the REST API's cursor).
     * @param acknowledged OUT: the customer acknowledged it; IN: always true
     * @param read         IN: an agent read it; OUT: always true
     */
    record Message(long id, long customerId, Direction direction, long number, Instant sentAt, Instant storedAt,
            String text, boolean acknowledged, boolean read) {
    }

    /** Per customer: unread IN messages, unacknowledged OUT messages, time of the last message. */
    record Counts(long unread, long pending, Instant lastMessageAt) {
    }

    /** What the database is, for people: "H2 file /path/desk.mv.db", "PostgreSQL desk@127.0.0.1:5432/desk". */
    String describe();

    // ---- customers --------------------------------------------------------------------------

    Optional<Customer> customer(long id);

    Optional<Customer> customerBySession(SessionId sessionId);

    Optional<Customer> customerByKey(IdentityPublicKey key);

    /** All customers, by id. */
    List<Customer> customers();

    /**
     * Adds a customer whose key is trusted now (first contact from {@code sessionId}, or registered
     * from a file with {@code sessionId} null).
     * @throws DeskStoreException.Conflict if the key or the session ID already belongs to a customer
     */
    Customer addCustomer(String label, SessionId sessionId, IdentityPublicKey key, Instant now);

    /** A registered customer called for the first time, from {@code sessionId}. */
    Customer bindSession(long customerId, SessionId sessionId, Instant now);

    /** The customer presented {@code presented} instead of its trusted key: KEY_CHANGED, the old key kept. */
    Customer keyChanged(long customerId, IdentityPublicKey presented, Instant now);

    /** Trusts {@code key} for the customer (re-trust after an agent's check): TRUSTED, presented key cleared. */
    Customer retrust(long customerId, IdentityPublicKey key, Instant now);

    Customer rename(long customerId, String label);

    /** Records activity (a handshake or message) from the customer. */
    void seen(long customerId, Instant now);

    // ---- messages ---------------------------------------------------------------------------

    /**
     * The customer's conversation state as the engine's {@link Outbox}: {@code enqueue} stores an
     * OUT message, {@code acknowledged} marks OUT messages, {@code delivered} stores an IN message,
     * each with its number in one transaction. One instance per customer; its methods are called
     * on that conversation's loop only (the store's other methods from anywhere).
     */
    Outbox outbox(long customerId) throws Outbox.StoreException;

    /** Messages of the customer with {@code id > after}, oldest first, at most {@code limit}. */
    List<Message> messages(long customerId, long after, int limit);

    /** One message by id. */
    Optional<Message> message(long id);

    /** The customer's message {@code number} in {@code direction}, if stored. */
    Optional<Message> messageByNumber(long customerId, Direction direction, long number);

    /** Marks IN messages of the customer with {@code id <= upTo} read. */
    void markRead(long customerId, long upTo);

    Counts counts(long customerId);

    /** The same counts over all customers (one query: the desk's status line). */
    Counts totals();

    @Override
    void close();
}
