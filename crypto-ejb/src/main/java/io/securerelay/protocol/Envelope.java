package io.securerelay.protocol;

import io.securerelay.protocol.internal.Wire;

/**
 * Which end-to-end message a relay payload claims to be, read from its first two bytes only, so
 * that a client can hand it to the right handshake step or to {@link SecureSession#open}. Nothing
 * here is authenticated: the step it is handed to checks everything.
 */
public enum Envelope {
    INIT, RESPONSE, FINISH, DATA,
    /** Not version {@value Wire#VERSION}, too short, or an unknown type. */
    UNKNOWN;

    /** @return the claimed message type of {@code payload}. */
    public static Envelope of(byte[] payload) {
        if (payload == null || payload.length < 2 || payload[0] != Wire.VERSION) {
            return UNKNOWN;
        }
        switch (payload[1]) {
            case Wire.TYPE_INIT:
                return INIT;
            case Wire.TYPE_RESPONSE:
                return RESPONSE;
            case Wire.TYPE_FINISH:
                return FINISH;
            case Wire.TYPE_DATA:
                return DATA;
            default:
                return UNKNOWN;
        }
    }

    /**
     * The length a message of this type has: exact for INIT (228), RESPONSE (260) and FINISH (130);
     * for DATA the smallest (222). Nothing is checked beyond the length.
     * @throws IllegalStateException for {@link #UNKNOWN}
     */
    public int expectedLength() {
        switch (this) {
            case INIT:
                return Wire.INIT_LEN;
            case RESPONSE:
                return Wire.RESPONSE_LEN;
            case FINISH:
                return Wire.FINISH_LEN;
            case DATA:
                return Wire.DATA_MIN;
            default:
                throw new IllegalStateException("an unknown envelope has no length");
        }
    }

    /** @return whether a handshake message {@code payload} of this type has exactly its length. */
    public boolean isHandshakeOfWrongLength(byte[] payload) {
        return (this == INIT || this == RESPONSE || this == FINISH) && payload.length != expectedLength();
    }

    /** @return the peer session ID an INIT names as its initiator, if {@code payload} is one. */
    public static byte[] initiatorIdOfInit(byte[] payload) {
        if (of(payload) != INIT || payload.length != Wire.INIT_LEN) {
            return null;
        }
        byte[] id = new byte[Wire.SID];
        System.arraycopy(payload, 2, id, 0, Wire.SID);
        return id;
    }
}
