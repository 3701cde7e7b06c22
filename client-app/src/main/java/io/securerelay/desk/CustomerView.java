package io.securerelay.desk;

import java.time.Instant;

/**
 * A customer as the agents see it.
 *
 * @param id                   the desk's number for the customer (stable)
 * @param label                the name agents gave it (or one made from the fingerprint)
 * @param sessionId            the session ID it calls from (hex), or null if registered and never seen
 * @param fingerprint          the trusted identity key's fingerprint
 * @param safetyNumber         the safety number of the current session, or null if none is up
 * @param status               TRUSTED, or KEY_CHANGED (blocked until an agent re-trusts)
 * @param presentedFingerprint the refused new key's fingerprint when KEY_CHANGED, else null
 * @param connection           OFFLINE, HANDSHAKING or SECURE
 * @param firstSeen            when the key was first trusted (registered or first contact)
 * @param lastSeen             the last message or handshake from it, or null
 * @param unread               received messages not read yet
 * @param pending              sent messages not acknowledged yet
 * @param lastMessageAt        the last message either way, or null
 */
public record CustomerView(long id, String label, String sessionId, String fingerprint, String safetyNumber,
        String status, String presentedFingerprint, String connection, Instant firstSeen, Instant lastSeen,
        long unread, long pending, Instant lastMessageAt) {
}
