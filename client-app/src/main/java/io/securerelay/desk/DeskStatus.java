package io.securerelay.desk;

/**
 * @param bankSessionId  the bank's session ID (hex, 32 characters): stable, customers call it
 * @param bankFingerprint the bank identity key's fingerprint
 * @param relay          the relay URL connected to, or null
 * @param connection     CONNECTING, CONNECTED or RECONNECTING
 * @param customers      customers known
 * @param secureSessions conversations with a session up right now
 * @param unread         received messages not yet read, all customers
 * @param blocked        customers whose changed key waits for an agent
 * @param database       what the desk stores in, for people ("H2 file …/desk", "PostgreSQL db@host")
 */
public record DeskStatus(String bankSessionId, String bankFingerprint, String relay, String connection,
        int customers, int secureSessions, long unread, int blocked, String database) {
}
