package io.securerelay.protocol.relay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    sealed interface ServerFrame extends RelayFrame permits Registered, Deliver, Error {
    }

    /** {@code 0x01}: claim a session ID for this connection. */
    record Register(SessionId sessionId) implements ClientFrame {
        public Register {
            Objects.requireNonNull(sessionId, "sessionId");
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
     * @param subject the session ID the error is about (the destination, or the refused ID)
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
        /** Another live connection owns the session ID this connection tried to register. */
        SESSION_ID_TAKEN(0x0002, "session ID already registered by another connection"),
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
