package io.securerelay.crypto;

/**
 * Root of the checked exceptions of this module: something a peer, the relay, a key file or the
 * user caused. Programming errors are unchecked ({@link IllegalStateException},
 * {@link IllegalArgumentException}); "impossible" JCA failures are {@link AssertionError}.
 * Messages never contain key material, passwords or plaintext.
 */
public abstract class SecureRelayException extends Exception {
    private static final long serialVersionUID = 1L;

    protected SecureRelayException(String message) {
        super(message);
    }

    protected SecureRelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
