package io.securerelay.crypto;

/**
 * A cryptographic authentication check failed: a bad signature, a bad AEAD tag or a bad MAC.
 * <p>They collapse into this one type on purpose, so that a caller that answers a peer cannot
 * tell it which check failed. Callers that know who the peer is build a more helpful message (for
 * example "Signature verification failed: message not from &lt;fingerprint&gt;") with
 * {@link #withMessage(String)}. The one refinement, {@link AlteredInTransitException}, is for the
 * receiver's own user: a sealed message whose AEAD tag failed (checked before the signature) was
 * altered on the way, which is the relay's doing or the network's, not a forgery by the peer.
 */
public sealed class AuthenticationFailedException extends SecureRelayException permits AlteredInTransitException {
    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message);
    }

    /** @return a copy of this failure with a caller-built message (still the same single type). */
    public AuthenticationFailedException withMessage(String message) {
        return new AuthenticationFailedException(message);
    }
}
