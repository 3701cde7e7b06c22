package io.securerelay.protocol.internal;

import io.securerelay.protocol.MalformedMessageException;
import io.securerelay.protocol.MessageKind;
import java.nio.ByteBuffer;

/**
 * Inner plaintext of a sealed message: {@code kind(1) | body length(4, big-endian) | body | zeros},
 * its total length being the Padmé bucket of {@code 5 + body length}, at least {@value #MIN_BUCKET}.
 * Padmé (Nikitin et al., PETS 2019) leaks O(log log L) bits of the length and costs at most 12%.
 */
public final class Padding {
    public static final int MIN_BUCKET = 128;
    public static final int INNER_HEADER = 5;
    /** Largest body accepted (1 MiB). */
    public static final int MAX_BODY = 1 << 20;

    private Padding() {
    }

    /** @return the padded length for an unpadded length {@code len}. */
    public static int bucket(int len) {
        if (len <= MIN_BUCKET) {
            return MIN_BUCKET;
        }
        int e = 31 - Integer.numberOfLeadingZeros(len);   // floor(log2 L)
        int s = 32 - Integer.numberOfLeadingZeros(e);     // floor(log2 E) + 1
        int lastBits = e - s;
        int mask = (1 << lastBits) - 1;
        return (len + mask) & ~mask;
    }

    /** @return the padded inner plaintext. */
    public static byte[] encode(MessageKind kind, byte[] body) {
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
        }
        byte[] out = new byte[bucket(INNER_HEADER + body.length)];
        ByteBuffer.wrap(out).put((byte) kind.code()).putInt(body.length).put(body);
        return out;
    }

    /** Decoded inner plaintext. */
    public record Inner(MessageKind kind, byte[] body) {
    }

    /**
     * @throws MalformedMessageException for an unknown kind, a bad length, a non-canonical
     *         bucket or non-zero padding
     */
    public static Inner decode(byte[] inner) throws MalformedMessageException {
        if (inner.length < MIN_BUCKET) {
            throw new MalformedMessageException("inner plaintext too short");
        }
        ByteBuffer b = ByteBuffer.wrap(inner);
        MessageKind kind = MessageKind.fromCode(b.get() & 0xff);
        int len = b.getInt();
        if (kind == null) {
            throw new MalformedMessageException("unknown message kind");
        }
        if (len < 0 || len > MAX_BODY || len > inner.length - INNER_HEADER
                || inner.length != bucket(INNER_HEADER + len)) {
            throw new MalformedMessageException("bad inner length");
        }
        int acc = 0;
        for (int i = INNER_HEADER + len; i < inner.length; i++) {
            acc |= inner[i];
        }
        if (acc != 0) {
            throw new MalformedMessageException("non-zero padding");
        }
        byte[] body = new byte[len];
        b.get(body);
        return new Inner(kind, body);
    }
}
