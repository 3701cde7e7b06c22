package io.securerelay.protocol.relay;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one codec of the relay wire format (version {@value #VERSION}). Every frame starts with
 * {@code version:u8, type:u8}; all integers are big-endian. Decoding validates every length and
 * never trusts the sender; encoding returns a buffer ready to send (position 0).
 */
public final class RelayCodec {

    /** The relay protocol version this codec speaks. */
    public static final byte VERSION = 1;
    /** {@code version:u8 type:u8}. */
    public static final int BASE_HEADER = 2;
    /** Header of SEND and DELIVER: base header plus a session ID. */
    public static final int ROUTED_HEADER = BASE_HEADER + SessionId.LENGTH;
    /** Default largest payload a SEND may carry (the relay may be configured lower or higher). */
    public static final int DEFAULT_MAX_PAYLOAD = 64 * 1024;
    /** Largest reason text of an ERROR frame, in UTF-8 bytes. */
    public static final int MAX_REASON_BYTES = 256;

    /** Exact length of a REGISTER frame: header, public key, signature (131 bytes). */
    public static final int REGISTER_LENGTH =
            BASE_HEADER + RegistrationProof.PUBLIC_KEY_LENGTH + RegistrationProof.SIGNATURE_LENGTH;
    /** Exact length of a CHALLENGE frame: header and nonce (34 bytes). */
    public static final int CHALLENGE_LENGTH = BASE_HEADER + RegistrationProof.NONCE_LENGTH;

    public static final byte TYPE_REGISTER = 0x01;
    public static final byte TYPE_SEND = 0x02;
    public static final byte TYPE_CHALLENGE = (byte) 0x80;
    public static final byte TYPE_REGISTERED = (byte) 0x81;
    public static final byte TYPE_DELIVER = (byte) 0x82;
    public static final byte TYPE_ERROR = (byte) 0x83;

    private RelayCodec() {
    }

    /**
     * Decodes a frame sent by a client. The returned payload is a view of {@code frame}.
     *
     * @throws MalformedFrameException if the bytes are not a valid client frame
     */
    public static RelayFrame.ClientFrame decodeClientFrame(ByteBuffer frame) throws MalformedFrameException {
        ByteBuffer in = frame.duplicate();
        byte type = readHeader(in);
        switch (type) {
            case TYPE_REGISTER:
                return decodeRegister(in);
            case TYPE_SEND:
                return new RelayFrame.Send(readSessionId(in, "SEND"), in.slice());
            default:
                throw new MalformedFrameException("unknown client frame type 0x" + hex(type));
        }
    }

    /**
     * Decodes a frame sent by the relay. The returned payload is a view of {@code frame}.
     *
     * @throws MalformedFrameException if the bytes are not a valid relay frame
     */
    public static RelayFrame.ServerFrame decodeServerFrame(ByteBuffer frame) throws MalformedFrameException {
        ByteBuffer in = frame.duplicate();
        byte type = readHeader(in);
        switch (type) {
            case TYPE_CHALLENGE:
                return new RelayFrame.Challenge(readExact(in, RegistrationProof.NONCE_LENGTH, "CHALLENGE"));
            case TYPE_REGISTERED:
                return new RelayFrame.Registered(readSessionIdExact(in, "REGISTERED"));
            case TYPE_DELIVER:
                return new RelayFrame.Deliver(readSessionId(in, "DELIVER"), in.slice());
            case TYPE_ERROR:
                return decodeError(in);
            default:
                throw new MalformedFrameException("unknown relay frame type 0x" + hex(type));
        }
    }

    /** Encodes any frame into a new heap buffer, positioned at 0. */
    public static ByteBuffer encode(RelayFrame frame) {
        if (frame instanceof RelayFrame.Register r) {
            ByteBuffer out = ByteBuffer.allocate(REGISTER_LENGTH);
            out.put(VERSION).put(TYPE_REGISTER).put(r.publicKey()).put(r.signature());
            return out.flip();
        } else if (frame instanceof RelayFrame.Challenge c) {
            ByteBuffer out = ByteBuffer.allocate(CHALLENGE_LENGTH);
            out.put(VERSION).put(TYPE_CHALLENGE).put(c.nonce());
            return out.flip();
        } else if (frame instanceof RelayFrame.Send s) {
            return routed(TYPE_SEND, s.to(), s.payload());
        } else if (frame instanceof RelayFrame.Registered r) {
            return idOnly(TYPE_REGISTERED, r.sessionId());
        } else if (frame instanceof RelayFrame.Deliver d) {
            return routed(TYPE_DELIVER, d.from(), d.payload());
        } else if (frame instanceof RelayFrame.Error e) {
            byte[] reason = e.reason().getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(BASE_HEADER + 2 + SessionId.LENGTH + reason.length);
            out.put(VERSION).put(TYPE_ERROR).putShort((short) e.code());
            e.subject().writeTo(out);
            out.put(reason);
            return out.flip();
        }
        throw new AssertionError("unhandled frame type " + frame.getClass());
    }

    /**
     * Builds a DELIVER frame for {@code payload} (a SEND's payload) coming from {@code from}: the
     * relay's one copy per forwarded frame.
     */
    public static ByteBuffer deliver(SessionId from, ByteBuffer payload) {
        return routed(TYPE_DELIVER, from, payload);
    }

    static byte[] copy(ByteBuffer payload) {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return b;
    }

    private static ByteBuffer idOnly(byte type, SessionId id) {
        ByteBuffer out = ByteBuffer.allocate(ROUTED_HEADER);
        out.put(VERSION).put(type);
        id.writeTo(out);
        return out.flip();
    }

    private static ByteBuffer routed(byte type, SessionId id, ByteBuffer payload) {
        ByteBuffer out = ByteBuffer.allocate(ROUTED_HEADER + payload.remaining());
        out.put(VERSION).put(type);
        id.writeTo(out);
        out.put(payload.duplicate());
        return out.flip();
    }

    private static byte readHeader(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < BASE_HEADER) {
            throw new MalformedFrameException("frame of " + in.remaining() + " bytes is shorter than the header");
        }
        byte version = in.get();
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported relay protocol version " + (version & 0xFF));
        }
        return in.get();
    }

    private static SessionId readSessionId(ByteBuffer in, String frame) throws MalformedFrameException {
        if (in.remaining() < SessionId.LENGTH) {
            throw new MalformedFrameException(frame + " frame truncated in its session ID");
        }
        byte[] id = new byte[SessionId.LENGTH];
        in.get(id);
        return SessionId.of(id);
    }

    private static RelayFrame.Register decodeRegister(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() != REGISTER_LENGTH - BASE_HEADER) {
            throw new MalformedFrameException("REGISTER frame of " + (in.remaining() + BASE_HEADER)
                    + " bytes; it has exactly " + REGISTER_LENGTH);
        }
        byte[] publicKey = new byte[RegistrationProof.PUBLIC_KEY_LENGTH];
        byte[] signature = new byte[RegistrationProof.SIGNATURE_LENGTH];
        in.get(publicKey).get(signature);
        return new RelayFrame.Register(publicKey, signature);
    }

    private static byte[] readExact(ByteBuffer in, int length, String frame) throws MalformedFrameException {
        if (in.remaining() != length) {
            throw new MalformedFrameException(frame + " frame of " + (in.remaining() + BASE_HEADER)
                    + " bytes; it has exactly " + (BASE_HEADER + length));
        }
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private static SessionId readSessionIdExact(ByteBuffer in, String frame) throws MalformedFrameException {
        SessionId id = readSessionId(in, frame);
        if (in.hasRemaining()) {
            throw new MalformedFrameException(frame + " frame has " + in.remaining() + " trailing bytes");
        }
        return id;
    }

    private static RelayFrame.Error decodeError(ByteBuffer in) throws MalformedFrameException {
        try {
            int code = Short.toUnsignedInt(in.getShort());
            SessionId subject = readSessionId(in, "ERROR");
            if (in.remaining() > MAX_REASON_BYTES) {
                throw new MalformedFrameException("ERROR frame reason longer than " + MAX_REASON_BYTES + " bytes");
            }
            String reason = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in).toString();
            return new RelayFrame.Error(code, subject, reason);
        } catch (BufferUnderflowException e) {
            throw new MalformedFrameException("ERROR frame truncated");
        } catch (CharacterCodingException e) {
            throw new MalformedFrameException("ERROR frame reason is not valid UTF-8");
        }
    }

    private static String hex(byte b) {
        return String.format("%02x", b & 0xFF);
    }
}
