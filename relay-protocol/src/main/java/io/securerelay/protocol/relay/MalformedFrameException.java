package io.securerelay.protocol.relay;

/**
 * A relay frame that does not follow the wire format: unknown version or type, truncated, or
 * with a wrong length. The relay answers it by closing the connection with
 * {@link RelayCloseCodes#PROTOCOL_ERROR}.
 */
public final class MalformedFrameException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }
}
