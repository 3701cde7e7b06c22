package io.securerelay.relay.cluster;

import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The messages relay instances send each other over the data grid, and their one codec. Each is a
 * plain {@code byte[]} on the wire (Hazelcast serializes {@code byte[]} natively: no Java
 * serialization, no application class on the receiving side). The payload of a frame stays opaque.
 *
 * <pre>
 * FORWARD        0x01 | from[16] | to[16] | payload…   a SEND for a session held by the receiving instance
 * UNDELIVERABLE  0x02 | code[2]  | sender[16] | to[16] the receiving instance could not deliver a FORWARD
 * TAKEN_OVER     0x03 | id[16]                        the owner of id proved its key on another instance
 * </pre>
 */
sealed interface ClusterMessage {

    byte FORWARD = 0x01;
    byte UNDELIVERABLE = 0x02;
    byte TAKEN_OVER = 0x03;

    /** A SEND from {@code from} to {@code to}, crossing to the instance that holds {@code to}. */
    record Forward(SessionId from, SessionId to, ByteBuffer payload) implements ClusterMessage {
        public Forward {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            payload = payload.asReadOnlyBuffer();
        }
    }

    /** A FORWARD from the local connection {@code sender} to {@code to} was not delivered. */
    record Undeliverable(ErrorCode code, SessionId sender, SessionId to) implements ClusterMessage {
        public Undeliverable {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(to, "to");
        }
    }

    /** The owner of {@code id} registered on another instance: close the local connection (4001). */
    record TakenOver(SessionId id) implements ClusterMessage {
        public TakenOver {
            Objects.requireNonNull(id, "id");
        }
    }

    /** The message as bytes; the payload is copied once, its position left unchanged. */
    static byte[] encode(ClusterMessage m) {
        ByteBuffer out;
        if (m instanceof Forward f) {
            ByteBuffer p = f.payload().duplicate();
            out = ByteBuffer.allocate(1 + 2 * SessionId.LENGTH + p.remaining());
            out.put(FORWARD).put(f.from().toBytes()).put(f.to().toBytes()).put(p);
        } else if (m instanceof Undeliverable u) {
            out = ByteBuffer.allocate(1 + 2 + 2 * SessionId.LENGTH);
            out.put(UNDELIVERABLE).putShort((short) u.code().code()).put(u.sender().toBytes()).put(u.to().toBytes());
        } else if (m instanceof TakenOver t) {
            out = ByteBuffer.allocate(1 + SessionId.LENGTH);
            out.put(TAKEN_OVER).put(t.id().toBytes());
        } else {
            throw new AssertionError("unknown cluster message " + m.getClass());
        }
        return out.array();
    }

    /**
     * Parses a message from another instance; the payload of a FORWARD is a view of {@code bytes}.
     *
     * @throws IllegalArgumentException if the bytes are no message of this version
     */
    static ClusterMessage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("empty cluster message");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte type = in.get();
        switch (type) {
            case FORWARD:
                require(in, 2 * SessionId.LENGTH, "FORWARD");
                return new Forward(id(in), id(in), in.slice());
            case UNDELIVERABLE: {
                require(in, 2 + 2 * SessionId.LENGTH, "UNDELIVERABLE");
                ErrorCode code = ErrorCode.fromCode(in.getShort() & 0xffff);
                if (code == null) {
                    throw new IllegalArgumentException("UNDELIVERABLE with an unknown error code");
                }
                ClusterMessage m = new Undeliverable(code, id(in), id(in));
                exact(in, "UNDELIVERABLE");
                return m;
            }
            case TAKEN_OVER: {
                require(in, SessionId.LENGTH, "TAKEN_OVER");
                ClusterMessage m = new TakenOver(id(in));
                exact(in, "TAKEN_OVER");
                return m;
            }
            default:
                throw new IllegalArgumentException("unknown cluster message type " + (type & 0xff));
        }
    }

    private static SessionId id(ByteBuffer in) {
        byte[] b = new byte[SessionId.LENGTH];
        in.get(b);
        return SessionId.of(b);
    }

    private static void require(ByteBuffer in, int n, String what) {
        if (in.remaining() < n) {
            throw new IllegalArgumentException(what + " too short");
        }
    }

    private static void exact(ByteBuffer in, String what) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(what + " too long");
        }
    }
}
