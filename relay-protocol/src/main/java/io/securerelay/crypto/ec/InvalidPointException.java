package io.securerelay.crypto.ec;

/**
 * The bytes are not a valid P-256 public point in the one accepted encoding. One type for every
 * cause (length, prefix, range, curve equation, infinity); callers turn it into their own error.
 */
public final class InvalidPointException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPointException(String message) {
        super(message);
    }
}
