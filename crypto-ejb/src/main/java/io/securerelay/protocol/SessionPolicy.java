package io.securerelay.protocol;

import java.time.Duration;

/**
 * Tunables of a session.
 * @param rekeyAfterMessages the sender ratchets its key after this many messages in one epoch (&gt;= 1)
 * @param rekeyAfterTime     ... or when its current epoch is this old (positive)
 * @param handshakeTimeout   a handshake not complete after this long fails (positive)
 */
public record SessionPolicy(int rekeyAfterMessages, Duration rekeyAfterTime, Duration handshakeTimeout) {
    /** 1000 messages or 10 minutes per key epoch; 30 s to complete a handshake. */
    public static final SessionPolicy DEFAULT = new SessionPolicy(1000, Duration.ofMinutes(10), Duration.ofSeconds(30));

    public SessionPolicy {
        if (rekeyAfterMessages < 1 || rekeyAfterTime.isNegative() || rekeyAfterTime.isZero()
                || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("invalid session policy");
        }
    }
}
