package io.securerelay.protocol;

/**
 * What a sealed message carries. The kind is encrypted (inside the AEAD plaintext), so the relay
 * cannot tell a DUMMY (cover traffic, to be discarded) from a TEXT or an ACK.
 */
public enum MessageKind {
    TEXT(1), DUMMY(2), ACK(3);

    private final int code;

    MessageKind(int code) {
        this.code = code;
    }

    /** @return the wire code (one byte inside the ciphertext). */
    public int code() {
        return code;
    }

    /** @return the kind for a wire code, or null if unknown. */
    public static MessageKind fromCode(int code) {
        for (MessageKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
