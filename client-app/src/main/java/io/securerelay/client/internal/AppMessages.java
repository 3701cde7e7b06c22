package io.securerelay.client.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The application layer inside sealed messages: numbered texts and cumulative acknowledgements.
 * Numbers are per sender, start at 1 and survive reconnects and restarts, which is what makes
 * delivery exactly-once and in order across new sessions (the session's own sequence numbers and
 * replay window restart with every handshake).
 *
 * <pre>
 * TEXT body = number:u64 | sent_at_millis:u64 | text (UTF-8)
 * ACK  body = highest_number_delivered_in_order:u64 | flags:u8
 *             flags bit 0: the receiver holds later messages and waits for number+1 (resend it)
 * DUMMY body = random bytes (discarded)
 * </pre>
 */
public final class AppMessages {

    /** A text message as the application sees it. */
    public record Text(long number, long sentAtMillis, String text) {
    }

    /** Raised for a body that does not follow the layout (only a buggy peer can send one). */
    public static final class BadBodyException extends Exception {
        private static final long serialVersionUID = 1L;

        BadBodyException(String message) {
            super(message);
        }
    }

    private AppMessages() {
    }

    public static byte[] text(long number, long sentAtMillis, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + utf8.length).putLong(number).putLong(sentAtMillis).put(utf8).array();
    }

    public static Text parseText(byte[] body) throws BadBodyException {
        if (body.length < 16) {
            throw new BadBodyException("text message shorter than its header");
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        long number = in.getLong();
        long sentAt = in.getLong();
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in).toString();
            return new Text(number, sentAt, text);
        } catch (CharacterCodingException e) {
            throw new BadBodyException("text message is not valid UTF-8");
        }
    }

    /** A cumulative acknowledgement; {@code gap}: later messages wait for {@code upTo + 1}. */
    public record Ack(long upTo, boolean gap) {
    }

    public static byte[] ack(long upTo, boolean gap) {
        return ByteBuffer.allocate(9).putLong(upTo).put((byte) (gap ? 1 : 0)).array();
    }

    public static Ack parseAck(byte[] body) throws BadBodyException {
        if (body.length != 9 || (body[8] & ~1) != 0) {
            throw new BadBodyException("malformed acknowledgement of " + body.length + " bytes");
        }
        return new Ack(ByteBuffer.wrap(body).getLong(), body[8] == 1);
    }
}
