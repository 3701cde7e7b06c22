package io.securerelay.desk.engine;

import io.securerelay.client.internal.Outbox;
import java.io.IOException;
import java.util.Collections;
import java.util.SortedMap;

/**
 * The outbox a customer's {@code Conversation} is built with before anyone knows which customer it
 * is: a caller is identified only when its handshake completes (trust on first use, or the key of a
 * registered customer). Until then it is empty and refuses to store; once {@link #bind bound} it is
 * the customer's outbox in the database, and tells the desk what changed (for live views).
 * Loop-confined, like every outbox.
 */
final class CustomerOutbox implements Outbox {

    /** What the desk learns from the outbox, after each change is committed. */
    interface Changes {
        void queued(long customerId, long number);

        void acknowledged(long customerId, long fromExclusive, long upTo);

        void delivered(long customerId, long number);
    }

    private final Changes changes;
    private Outbox stored;
    private long customerId;

    CustomerOutbox(Changes changes) {
        this.changes = changes;
    }

    /** From now on this is the outbox of {@code customerId}. */
    void bind(long customerId, Outbox stored) {
        this.customerId = customerId;
        this.stored = stored;
    }

    boolean bound() {
        return stored != null;
    }

    long customerId() {
        return customerId;
    }

    @Override
    public String describe() {
        return stored == null ? "the desk's database (caller not identified yet)" : stored.describe();
    }

    @Override
    public Pending enqueue(String text, long sentAtMillis) throws IOException {
        Pending p = required().enqueue(text, sentAtMillis);
        changes.queued(customerId, p.number());
        return p;
    }

    @Override
    public void acknowledged(long upTo) throws IOException {
        Outbox o = required();
        long before = o.ackedOut();
        o.acknowledged(upTo);
        if (o.ackedOut() > before) {
            changes.acknowledged(customerId, before, o.ackedOut());
        }
    }

    @Override
    public void delivered(long n, long sentAtMillis, String text) throws IOException {
        required().delivered(n, sentAtMillis, text);
        changes.delivered(customerId, n);
    }

    @Override
    public SortedMap<Long, Pending> pending() {
        return stored == null ? Collections.emptySortedMap() : stored.pending();
    }

    @Override
    public long nextOut() {
        return stored == null ? 1 : stored.nextOut();
    }

    @Override
    public long ackedOut() {
        return stored == null ? 0 : stored.ackedOut();
    }

    @Override
    public long lastIn() {
        return stored == null ? 0 : stored.lastIn();
    }

    private Outbox required() throws IOException {
        if (stored == null) {
            throw new IOException("no customer is identified for this conversation yet");
        }
        return stored;
    }
}
