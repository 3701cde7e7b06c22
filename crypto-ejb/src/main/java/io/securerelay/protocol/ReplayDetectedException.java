package io.securerelay.protocol;

import io.securerelay.crypto.SecureRelayException;

/**
 * An authentic sealed message was already received, or is older than the replay window (or than
 * the previous key epoch). Message: "Replay attack detected: seq N (reason)". The session is unchanged.
 */
public final class ReplayDetectedException extends SecureRelayException {
    private static final long serialVersionUID = 1L;
    private final long seq;

    public ReplayDetectedException(long seq, String reason) {
        super("Replay attack detected: seq " + Long.toUnsignedString(seq) + " (" + reason + ")");
        this.seq = seq;
    }

    /** @return the sequence number of the rejected message. */
    public long seq() {
        return seq;
    }
}
