package io.securerelay.protocol;

import io.securerelay.crypto.SecureRelayException;

/**
 * The handshake failed for a protocol reason: malformed or unexpected message, wrong version,
 * session IDs of another connection, invalid ephemeral or identity point, timeout. (A bad
 * signature or MAC is an {@link io.securerelay.crypto.AuthenticationFailedException} instead.)
 * The handshake is FAILED afterwards.
 */
public final class HandshakeException extends SecureRelayException {
    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message);
    }
}
