package io.securerelay.protocol.relay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The frames of the relay protocol, version {@value RelayCodec#VERSION}. Every frame is one
 * binary WebSocket message; {@link RelayCodec} is the only place that reads or writes the bytes.
 * The layout of each frame is in {@code docs/PROTOCOL.md}, part 1.
 *
 * <p>Payloads are read-only {@link ByteBuffer} views: the relay forwards them without copying them
 * into an intermediate array and never looks inside.
 */
public sealed interface RelayFrame {

    /** Frames a client sends to the relay. */
    sealed interface ClientFrame extends RelayFrame permits Register, Send {
    }

    /** Frames the relay sends to a client. */
    sealed interface ServerFrame extends RelayFrame permits Challenge, Registered, Deliver, Error {
    }

    /**
     * {@code 0x01}: claim the session ID of {@code publicKey} for this connection, proving
     * possession of its private key. Build it with {@link RoutingKey#register(byte[])}; the relay
     * checks it with {@link RegistrationProof#verify}.
     *
     * <p>The arrays are copied in and out; equality is on content.
     *
     * @param publicKey the routing public key, an uncompressed SEC1 P-256 point
     *                  ({@value RegistrationProof#PUBLIC_KEY_LENGTH} bytes, {@code 0x04 || X || Y});
     *                  only its length is checked here, the point is validated by the verifier
     * @param signature ECDSA P-256 SHA-256, raw {@code r || s}
     *                  ({@value RegistrationProof#SIGNATURE_LENGTH} bytes), over
     *                  {@link RegistrationProof#signedBytes(byte[], byte[])}
     */
    record Register(byte[] publicKey, byte[] signature) implements ClientFrame {
        public Register {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(signature, "signature");
            if (publicKey.length != RegistrationProof.PUBLIC_KEY_LENGTH) {
                throw new IllegalArgumentException("a routing public key has " + RegistrationProof.PUBLIC_KEY_LENGTH
                        + " bytes, not " + publicKey.length);
            }
            if (signature.length != RegistrationProof.SIGNATURE_LENGTH) {
                throw new IllegalArgumentException("a registration signature has " + RegistrationProof.SIGNATURE_LENGTH
                        + " bytes, not " + signature.length);
            }
            publicKey = publicKey.clone();
            signature = signature.clone();
        }

        /** A copy of the {@value RegistrationProof#PUBLIC_KEY_LENGTH}-byte public key. */
        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** A copy of the {@value RegistrationProof#SIGNATURE_LENGTH}-byte signature. */
        @Override
        public byte[] signature() {
            return signature.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Register other
                    && Arrays.equals(publicKey, other.publicKey) && Arrays.equals(signature, other.signature);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(publicKey) + Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "Register[publicKey=" + HexFormat.of().formatHex(publicKey, 0, 9) + "…]";
        }
    }

    /** {@code 0x02}: forward {@code payload} to the connection that registered {@code to}. */
    record Send(SessionId to, ByteBuffer payload) implements ClientFrame {
        public Send {
            Objects.requireNonNull(to, "to");
            payload = payload.asReadOnlyBuffer();
        }

        /** A copy of the payload bytes. */
        public byte[] payloadBytes() {
            return RelayCodec.copy(payload);
        }
    }

    /**
     * {@code 0x80}: the first frame on every connection: a fresh random nonce that the client's
     * REGISTER must sign, so a registration proof is bound to this one connection.
     *
     * @param nonce exactly {@value RegistrationProof#NONCE_LENGTH} bytes (copied in and out)
     */
    record Challenge(byte[] nonce) implements ServerFrame {
        public Challenge {
            Objects.requireNonNull(nonce, "nonce");
            if (nonce.length != RegistrationProof.NONCE_LENGTH) {
                throw new IllegalArgumentException("a challenge nonce has " + RegistrationProof.NONCE_LENGTH
                        + " bytes, not " + nonce.length);
            }
            nonce = nonce.clone();
        }

        /** A copy of the nonce. */
        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Challenge other && Arrays.equals(nonce, other.nonce);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(nonce);
        }

        @Override
        public String toString() {
            return "Challenge[" + HexFormat.of().formatHex(nonce) + "]";
        }
    }

    /** {@code 0x81}: the relay accepted the registration of {@code sessionId}. */
    record Registered(SessionId sessionId) implements ServerFrame {
        public Registered {
            Objects.requireNonNull(sessionId, "sessionId");
        }
    }

    /** {@code 0x82}: a payload from the connection that registered {@code from}, unchanged. */
    record Deliver(SessionId from, ByteBuffer payload) implements ServerFrame {
        public Deliver {
            Objects.requireNonNull(from, "from");
            payload = payload.asReadOnlyBuffer();
        }

        /** A copy of the payload bytes. */
        public byte[] payloadBytes() {
            return RelayCodec.copy(payload);
        }
    }

    /**
     * {@code 0x83}: something the relay could not do for the sender; the connection stays open.
     *
     * @param code    one of {@link ErrorCode}'s codes (unknown codes are kept, for newer relays)
     * @param subject the session ID the error is about (the destination of the refused SEND)
     * @param reason  a short English text for logs; clients decide on {@code code}, not on this
     */
    record Error(int code, SessionId subject, String reason) implements ServerFrame {
        public Error {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(reason, "reason");
            if (code < 0 || code > 0xFFFF) {
                throw new IllegalArgumentException("error code is an unsigned 16-bit value");
            }
            if (reason.getBytes(StandardCharsets.UTF_8).length > RelayCodec.MAX_REASON_BYTES) {
                throw new IllegalArgumentException("reason longer than " + RelayCodec.MAX_REASON_BYTES + " bytes");
            }
        }

        public Error(ErrorCode code, SessionId subject) {
            this(code.code(), subject, code.reason());
        }

        /** The known error code, or {@code null} for a code this version does not know. */
        public ErrorCode errorCode() {
            return ErrorCode.fromCode(code);
        }
    }

    /** The error codes of {@link Error} frames. */
    enum ErrorCode {
        /** No live connection has registered the destination session ID. */
        PEER_NOT_CONNECTED(0x0001, "peer not connected"),
        /**
         * Reserved, never sent by this relay: protocol version 1 first used it to refuse a session ID
         * that another connection owned. Session IDs are now self-certifying, so a connection that
         * proves the key takes the ID over (the old one is closed with
         * {@link RelayCloseCodes#TAKEN_OVER}) and one that cannot is closed with
         * {@link RelayCloseCodes#REGISTRATION_INVALID}. Kept so the code is never reused.
         */
        SESSION_ID_TAKEN(0x0002, "reserved: session ID already registered by another connection"),
        /** The destination was registered, but the relay could not hand it the frame (it went away). */
        DELIVERY_FAILED(0x0003, "delivery to peer failed");

        private final int code;
        private final String reason;

        ErrorCode(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }

        public int code() {
            return code;
        }

        public String reason() {
            return reason;
        }

        public static ErrorCode fromCode(int code) {
            for (ErrorCode c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return null;
        }
    }
}
