package io.securerelay.relay.tyrus;

/**
 * Follows the frame boundaries in the bytes a WebSocket client sends (RFC 6455 section 5.2) and
 * finds the first frame the relay refuses at its header, before one byte of its payload has been
 * read: a frame that is not masked (section 5.1: "a server MUST close the connection upon
 * receiving a frame that is not masked"; Tyrus 2 accepts them), found at the header's second
 * byte, or one whose header declares a payload longer than a limit, found when the length field
 * is complete.
 *
 * <p>A pure state machine over a byte stream cut anywhere (a header may be split across reads).
 * It reads only the second byte of each header (MASK bit and 7-bit length) and the extended
 * length; everything else in the stream is the parser's business (Tyrus). A 64-bit length with
 * its top bit set, which RFC 6455 forbids, counts as longer than any limit. Not thread-safe: one
 * per connection, fed by the connection's one reading thread.
 */
final class FrameHeaderScanner {

    /** Why a frame was refused. */
    enum Refusal {
        /** The payload length is over the limit: close with 1009. */
        OVERSIZE,
        /** The frame is not masked: close with 1002. */
        UNMASKED
    }

    /** The longest header up to and including its length field: 2 bytes plus an 8-byte length. */
    private static final int MAX_LENGTH_FIELD = 10;

    private final long limit;
    private final byte[] header = new byte[MAX_LENGTH_FIELD];
    /** Header bytes of the current frame seen so far (its masking key included); 0 between frames. */
    private int headerSeen;
    /** The current header's size with its key, once its second byte is known; 0 before. */
    private int headerSize;
    /** Payload bytes of the current frame still to come. */
    private long payloadLeft;
    /** The declared length of the first oversize frame (unsigned), once found. */
    private long oversize;
    private Refusal refusal;

    /** @param limit the largest payload a frame may declare, in bytes; at least 0 */
    FrameHeaderScanner(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " < 0");
        }
        this.limit = limit;
    }

    /**
     * Scans {@code b[off, off + len)}, the next bytes of the stream, and returns how many of them,
     * from {@code off}, come before the header of the first refused frame: {@code len} when there
     * is none, fewer when such a header starts (or its second byte or length field completes) in
     * these bytes. Once a frame was refused, nothing more is scanned and every call returns 0.
     */
    int scan(byte[] b, int off, int len) {
        if (refusal != null) {
            return 0;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (headerSeen == 0 && payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                i += n;
                payloadLeft -= n;
                continue;
            }
            int headerStart = i - headerSeen;
            if (headerSeen < MAX_LENGTH_FIELD) {
                header[headerSeen] = b[i];
            }
            headerSeen++;
            i++;
            if (headerSeen == 2 && (header[1] & 0x80) == 0) {
                refusal = Refusal.UNMASKED;
                return Math.max(0, headerStart - off);
            }
            if (headerSeen == 2) {
                headerSize = 2 + extendedLengthBytes(header[1]) + 4;
            }
            if (headerSeen >= 2 && headerSeen == 2 + extendedLengthBytes(header[1])) {
                long length = declaredLength();
                if (Long.compareUnsigned(length, limit) > 0) {
                    refusal = Refusal.OVERSIZE;
                    oversize = length;
                    return Math.max(0, headerStart - off);
                }
                payloadLeft = length;
            }
            if (headerSeen >= 2 && headerSeen == headerSize) {
                headerSeen = 0;
                headerSize = 0;
            }
        }
        return len;
    }

    /** Whether a frame was refused. */
    boolean found() {
        return refusal != null;
    }

    /** Why the frame was refused; null while none was. */
    Refusal refusal() {
        return refusal;
    }

    /** The payload length the oversize frame declared (0 for an unmasked one), as an unsigned decimal number. */
    String declaredLength64() {
        return Long.toUnsignedString(oversize);
    }

    /** The limit, in bytes. */
    long limit() {
        return limit;
    }

    /** Bytes of extended payload length after a second header byte {@code b1}: 0, 2 (126) or 8 (127). */
    private static int extendedLengthBytes(byte b1) {
        int code = b1 & 0x7F;
        return code < 126 ? 0 : code == 126 ? 2 : 8;
    }

    private long declaredLength() {
        int code = header[1] & 0x7F;
        if (code < 126) {
            return code;
        }
        long length = 0;
        for (int k = 0; k < (code == 126 ? 2 : 8); k++) {
            length = (length << 8) | (header[2 + k] & 0xFFL);
        }
        return length;
    }
}
