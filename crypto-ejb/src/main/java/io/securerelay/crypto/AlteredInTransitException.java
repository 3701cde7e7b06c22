package io.securerelay.crypto;

/**
 * A sealed message failed its AEAD tag: it was altered on the way (corrupted, or tampered with by
 * the relay or the network), or it was never sealed under this session's key (another session, or
 * reflected back to its sender). Nothing about its sender is claimed: the signature of such a
 * message is never checked, so a forged or corrupted frame costs one AES-GCM check and no ECDSA
 * verification. Still an {@link AuthenticationFailedException} for callers that do not care which
 * check failed; a client tells its user "altered in transit", not "forged by the peer".
 */
public final class AlteredInTransitException extends AuthenticationFailedException {
    private static final long serialVersionUID = 1L;

    public AlteredInTransitException(String message) {
        super(message);
    }

    /** @return a copy of this failure with a caller-built message (still this type). */
    @Override
    public AlteredInTransitException withMessage(String message) {
        return new AlteredInTransitException(message);
    }
}
