package io.securerelay.protocol.relay;

/**
 * A REGISTER frame that does not prove possession of its routing key for this connection: the
 * public key is not a valid P-256 point, or the signature does not verify over the connection's
 * challenge. Deliberately one type with one message for every cause, so nothing tells a peer which
 * check failed. The relay answers it with {@link RelayCloseCodes#REGISTRATION_INVALID}.
 */
public final class InvalidRegistrationException extends Exception {

    private static final long serialVersionUID = 1L;

    InvalidRegistrationException() {
        super("registration proof invalid");
    }
}
