package io.securerelay.desk;

import java.util.List;
import java.util.function.Consumer;

/**
 * The bank desk as its back office and its agents use it: customers, their conversations, sending,
 * re-trusting a changed key, and live events. Thread-safe; every method returns quickly (sending
 * stores the message and hands it to the customer's conversation, it does not wait for delivery).
 * Failures are {@link DeskException}s with a sentence a person understands.
 */
public interface Desk {

    /** The bank's identity, its relay connection and totals. */
    DeskStatus status();

    /** Every customer, most recent activity first. */
    List<CustomerView> customers();

    /** @throws DeskException NOT_FOUND */
    CustomerView customer(long customerId);

    /**
     * Messages of one customer's conversation (both directions) with a cursor above {@code after},
     * oldest first, at most {@code limit} (1 to 1000).
     * @throws DeskException NOT_FOUND, BAD_REQUEST
     */
    List<MessageView> messages(long customerId, long after, int limit);

    /**
     * Sends {@code text} to the customer: stored first (it survives a restart), delivered when the
     * customer is connected.
     * @throws DeskException NOT_FOUND; BAD_REQUEST (empty, or longer than 16 KiB of UTF-8);
     *         CONFLICT (the customer's key changed and is not re-trusted yet)
     */
    MessageView send(long customerId, String text);

    /** Marks the customer's received messages up to {@code cursor} as read. @throws DeskException NOT_FOUND */
    void markRead(long customerId, long cursor);

    /**
     * Trusts the customer's new key (an agent checked it out of band): the conversation goes on
     * with it. {@code presentedFingerprint} must be the fingerprint the agent checked, so that a key
     * that changed again meanwhile is not trusted by mistake.
     * @throws DeskException NOT_FOUND; CONFLICT (no changed key, or another one than checked)
     */
    CustomerView retrust(long customerId, String presentedFingerprint);

    /** Gives the customer a name the agents see. @throws DeskException NOT_FOUND, BAD_REQUEST */
    CustomerView rename(long customerId, String label);

    /**
     * Registers a customer before first contact, from the content of its
     * {@code *_public_identity_key.json} file (the file-based key exchange of the two-party client).
     * @throws DeskException BAD_REQUEST (not such a file); CONFLICT (that key is already registered)
     */
    CustomerView register(String label, String publicIdentityKeyJson);

    /** Live events from now on, on a desk thread (keep the listener quick); close to stop. */
    AutoCloseable subscribe(Consumer<DeskEvent> listener);
}
