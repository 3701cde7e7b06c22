package io.securerelay.relay.cluster;

import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The messages relay instances send each other through Redis, and their one codec. Messages travel
 * in batches: one sharded pub/sub message ({@code SPUBLISH} to the receiving instance's channel)
 * carries every message queued for that instance since the previous one left, in order, behind the
 * sending instance's ID. Plain bytes, no serialization framework; the payload of a frame stays opaque.
 *
 * <pre>
 * BATCH          version 0x01 | origin[8] | count[2] | (length[4] | message)×count
 * FORWARD        0x01 | from[16] | to[16] | payload…   a SEND for a session held by the receiving instance
 * UNDELIVERABLE  0x02 | code[2]  | sender[16] | to[16] the receiving instance could not deliver a FORWARD
 * TAKEN_OVER     0x03 | id[16]                        the owner of id proved its key on another instance
 * </pre>
 */
sealed interface ClusterMessage {

    byte BATCH_VERSION = 0x01;
    /** Bytes of a batch before its first message: version, origin, count. */
    int BATCH_HEADER = 1 + InstanceId.LENGTH + 2;
    /** Bytes in front of each message of a batch: its length. */
    int BATCH_ENTRY_HEADER = 4;
    /** Messages in one batch at most (the count is an unsigned 16-bit field). */
    int BATCH_MAX_COUNT = 0xffff;

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
        return decode(ByteBuffer.wrap(bytes));
    }

    private static ClusterMessage decode(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("empty cluster message");
        }
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

    /** The messages of one batch and the instance that sent them. */
    record Batch(InstanceId origin, java.util.List<ClusterMessage> messages) {
        public Batch {
            Objects.requireNonNull(origin, "origin");
            messages = java.util.List.copyOf(messages);
        }
    }

    /**
     * One batch of already encoded messages ({@link #encode}), in order.
     *
     * @throws IllegalArgumentException if there are none, or more than {@link #BATCH_MAX_COUNT}
     */
    static byte[] encodeBatch(InstanceId origin, java.util.List<byte[]> messages) {
        if (messages.isEmpty() || messages.size() > BATCH_MAX_COUNT) {
            throw new IllegalArgumentException("a batch holds 1 to " + BATCH_MAX_COUNT + " messages, not " + messages.size());
        }
        int size = BATCH_HEADER;
        for (byte[] m : messages) {
            size += BATCH_ENTRY_HEADER + m.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(BATCH_VERSION).put(origin.toBytes()).putShort((short) messages.size());
        for (byte[] m : messages) {
            out.putInt(m.length).put(m);
        }
        return out.array();
    }

    /**
     * Parses a batch from another instance; FORWARD payloads are views of {@code bytes}.
     *
     * @throws IllegalArgumentException if the bytes are no batch of this version, or any message in it is malformed
     */
    static Batch decodeBatch(byte[] bytes) {
        if (bytes == null || bytes.length < BATCH_HEADER) {
            throw new IllegalArgumentException("batch too short");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.get() != BATCH_VERSION) {
            throw new IllegalArgumentException("unknown batch version " + (bytes[0] & 0xff));
        }
        byte[] origin = new byte[InstanceId.LENGTH];
        in.get(origin);
        int count = in.getShort() & 0xffff;
        if (count == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        java.util.List<ClusterMessage> messages = new java.util.ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            require(in, BATCH_ENTRY_HEADER, "batch entry");
            int length = in.getInt();
            if (length < 1 || length > in.remaining()) {
                throw new IllegalArgumentException("batch entry of " + Integer.toUnsignedString(length)
                        + " bytes with " + in.remaining() + " left");
            }
            messages.add(decode(bytes, in.position(), length));
            in.position(in.position() + length);
        }
        exact(in, "batch");
        return new Batch(InstanceId.of(origin), messages);
    }

    /** {@link #decode(byte[])} of {@code length} bytes of {@code bytes} from {@code offset}. */
    private static ClusterMessage decode(byte[] bytes, int offset, int length) {
        return decode(ByteBuffer.wrap(bytes, offset, length).slice());
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
