package io.securerelay.crypto;

/**
 * A peer-supplied public key is not a valid P-256 point in the expected encoding
 * (wrong length or prefix, point at infinity, off the curve, other curve or explicit parameters).
 */
public final class InvalidPublicKeyException extends SecureRelayException {
    private static final long serialVersionUID = 1L;

    public InvalidPublicKeyException(String message) {
        super(message);
    }
}
