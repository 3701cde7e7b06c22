package io.securerelay.crypto;

/**
 * A cryptographic authentication check failed: a bad signature, a bad AEAD tag or a bad MAC.
 * <p>All three collapse into this one type on purpose, so that nothing tells an attacker which
 * check failed. Callers that know who the peer is build a more helpful message (for example
 * "Signature verification failed: message not from &lt;fingerprint&gt;") with
 * {@link #withMessage(String)}.
 */
public final class AuthenticationFailedException extends SecureRelayException {
    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message);
    }

    /** @return a copy of this failure with a caller-built message (still the same single type). */
    public AuthenticationFailedException withMessage(String message) {
        return new AuthenticationFailedException(message);
    }
}
