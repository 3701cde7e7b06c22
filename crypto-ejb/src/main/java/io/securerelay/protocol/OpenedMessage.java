package io.securerelay.protocol;

/**
 * An authentic, decrypted, fresh message.
 * @param kind what it carries
 * @param body the body (a copy; the caller owns it)
 * @param seq  the sender's sequence number (per direction, starting at 0)
 */
public record OpenedMessage(MessageKind kind, byte[] body, long seq) {
    public OpenedMessage {
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        return "OpenedMessage[" + kind + ", " + body.length + " bytes, seq " + seq + "]";
    }
}
