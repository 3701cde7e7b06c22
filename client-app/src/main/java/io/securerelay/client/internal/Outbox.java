package io.securerelay.client.internal;

import java.io.IOException;
import java.util.SortedMap;

/**
 * What must survive a crash or restart of one conversation: the numbers (next to give out, last
 * acknowledged by the peer, last delivered from the peer) and every outgoing text the peer has not
 * acknowledged. {@link FileOutbox} keeps them in the client's key folder; the bank desk keeps one
 * per customer in its database ({@code io.securerelay.desk.store}).
 *
 * <p>Contract, relied on by {@link Delivery} and the kill tests: a number given by {@link #enqueue}
 * is never given again, even after a crash; {@link #delivered} is called once per text from the
 * peer, in order, and once it returned the text counts as delivered (a crash before it returned
 * only means the peer's resend is delivered again, with the same number). Called on the
 * conversation's loop only: no two calls at once for one outbox.
 */
public interface Outbox {

    /** A store that is unreadable, corrupt or tampered with: left as it is, with a sentence saying so. */
    final class StoreException extends Exception {
        private static final long serialVersionUID = 1L;

        public StoreException(String message) {
            super(message);
        }

        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An outgoing message waiting for its acknowledgement. */
    record Pending(long number, long sentAtMillis, String text) {
    }

    /** Where this outbox lives, for error messages (a folder, a database and a customer). */
    String describe();

    /** Stores {@code text} as the next outgoing message and returns it with its number. */
    Pending enqueue(String text, long sentAtMillis) throws IOException;

    /** The peer acknowledged every message up to {@code upTo}: they are no longer pending. */
    void acknowledged(long upTo) throws IOException;

    /**
     * Text {@code n} from the peer (sent at {@code sentAtMillis}) was delivered in order. A store
     * that keeps the conversation (the desk) records the text here, in the same transaction as the
     * number; the client's file outbox keeps only the number.
     */
    void delivered(long n, long sentAtMillis, String text) throws IOException;

    /** Unacknowledged outgoing messages, by number (a read-only view). */
    SortedMap<Long, Pending> pending();

    /** The number the next {@link #enqueue} gives. */
    long nextOut();

    /** The highest number the peer acknowledged. */
    long ackedOut();

    /** The highest number delivered in order from the peer. */
    long lastIn();
}
