package io.securerelay.client.internal;

import io.securerelay.protocol.relay.SessionId;

/**
 * What a {@link Conversation} reports, in the order it happens, on its loop. {@link UserIo} prints
 * it (sentences, or the batch events of docs/BATCH.md); another front end (a desk serving many
 * conversations, a benchmark) may count or forward it instead. No key ever passes here; plaintext
 * only as a received or queued text.
 */
public interface ConversationEvents {

    /** Our relay session ID, once per run ({@code peerKnown}: whether we call the peer or wait to be called). */
    void sessionId(SessionId id, boolean peerKnown);

    /** Registered at {@code relay}. */
    void connected(String relay);

    /** The relay connection is gone; the next attempt is in {@code retryMillis}; {@code queued} texts wait. */
    void reconnecting(RelayLink.ClosedBy closedBy, String why, long retryMillis, int queued);

    /** First contact: the peer's key is now pinned. */
    void trustedFirstUse(String fingerprint);

    /** A handshake completed ({@code firstThisRun}: the first of this run). */
    void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun);

    /** Text {@code number} from the peer, authenticated and in order, shown once. */
    void received(long number, long sentAtMillis, String text);

    /** A text became outgoing message {@code number}; {@code willSendNow} if a session is up. */
    void queued(long number, boolean willSendNow);

    /** The peer acknowledged every text up to {@code upTo}. */
    void acked(long upTo);

    /** Something a person may want to know. */
    void info(String sentence);

    /** A message or frame refused and dropped (see {@link Rejections}). */
    void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence);

    /** A problem, with its code of docs/BATCH.md. */
    void problem(String code, String sentence);

    /** A batch run finished well: its final line. */
    void done(long sent, long received, long rejected);

    /** The conversation ended: nothing is reported after this. */
    void close();

    /**
     * Ignores every event: the base of a front end that watches only a few of them (the desk, the
     * benchmark's customers, tests) and overrides those. A console or a batch run implements the
     * interface itself ({@link UserIo}), so that a new event cannot be left out by mistake.
     */
    abstract class Ignoring implements ConversationEvents {
        @Override
        public void sessionId(SessionId id, boolean peerKnown) {
        }

        @Override
        public void connected(String relay) {
        }

        @Override
        public void reconnecting(RelayLink.ClosedBy closedBy, String why, long retryMillis, int queued) {
        }

        @Override
        public void trustedFirstUse(String fingerprint) {
        }

        @Override
        public void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun) {
        }

        @Override
        public void received(long number, long sentAtMillis, String text) {
        }

        @Override
        public void queued(long number, boolean willSendNow) {
        }

        @Override
        public void acked(long upTo) {
        }

        @Override
        public void info(String sentence) {
        }

        @Override
        public void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
        }

        @Override
        public void problem(String code, String sentence) {
        }

        @Override
        public void done(long sent, long received, long rejected) {
        }

        @Override
        public void close() {
        }
    }
}
