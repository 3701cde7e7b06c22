package io.securerelay.protocol;

import io.securerelay.crypto.SecureRelayException;

/**
 * A sealed message is not well-formed: wrong length, unsupported version (downgrade), unknown
 * type, or an authenticated plaintext with a bad inner layout. The session is unchanged.
 */
public final class MalformedMessageException extends SecureRelayException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }
}
