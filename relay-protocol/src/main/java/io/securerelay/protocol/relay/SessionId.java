package io.securerelay.protocol.relay;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A relay session ID: exactly {@value #LENGTH} bytes, chosen at random by the client for each
 * connection and shown to users as {@value #HEX_LENGTH} lowercase hex characters.
 *
 * <p>Immutable; the byte array is copied in and out. Not a secret: it is an address.
 */
public final class SessionId implements Comparable<SessionId> {

    /** Length of a session ID on the wire, in bytes. */
    public static final int LENGTH = 16;
    /** Length of the textual (hex) form. */
    public static final int HEX_LENGTH = 2 * LENGTH;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    private SessionId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /**
     * @param bytes exactly {@value #LENGTH} bytes (copied)
     * @throws IllegalArgumentException if the length is wrong
     */
    public static SessionId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a session ID has " + LENGTH + " bytes, not " + bytes.length);
        }
        return new SessionId(bytes.clone());
    }

    /** A new random session ID. */
    public static SessionId random(SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new SessionId(b);
    }

    /**
     * Parses the textual form: {@value #HEX_LENGTH} hex characters; spaces, dashes and upper case
     * are tolerated so that IDs read aloud or copied from a terminal still parse.
     *
     * @throws IllegalArgumentException with a message fit for a user if the text is not a session ID
     */
    public static SessionId parse(String text) {
        Objects.requireNonNull(text, "text");
        String compact = text.replaceAll("[\\s-]", "").toLowerCase(java.util.Locale.ROOT);
        if (compact.length() != HEX_LENGTH || !compact.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(
                    "a session ID is " + HEX_LENGTH + " hexadecimal characters (0-9, a-f)");
        }
        return new SessionId(HEX.parseHex(compact));
    }

    /** A copy of the {@value #LENGTH} bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Writes the bytes into {@code dst} at its position. */
    void writeTo(java.nio.ByteBuffer dst) {
        dst.put(bytes);
    }

    /** The full hex form, as users type it. */
    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** The first 8 hex characters, for logs and consoles where the full ID is noise. */
    public String shortForm() {
        return toHex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(SessionId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
