package io.securerelay.client.internal;

import io.securerelay.protocol.relay.SessionId;

/**
 * What the {@link Conversation} needs of its way to the peer: {@link RelayLink} over the network,
 * or an in-memory relay in the conversation's own tests.
 */
public interface Link extends AutoCloseable {

    /** Starts connecting; events go to the listener the link was made with. */
    void start();

    /**
     * Sends {@code payload} to {@code to}, asynchronously, in call order.
     *
     * @return false if not registered right now (the caller keeps what it must resend)
     */
    boolean send(SessionId to, byte[] payload);

    @Override
    void close();
}
