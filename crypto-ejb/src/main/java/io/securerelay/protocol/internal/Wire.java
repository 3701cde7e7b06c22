package io.securerelay.protocol.internal;

import io.securerelay.crypto.HmacSha256;
import io.securerelay.crypto.P256;
import io.securerelay.protocol.HandshakeException;
import io.securerelay.protocol.MalformedMessageException;
import io.securerelay.protocol.relay.SessionId;
import java.nio.ByteBuffer;

/**
 * The one codec of the end-to-end wire format (see docs/PROTOCOL.md, Part 2). Every message
 * starts with {@code version(1) | type(1)}; all fields are fixed-length, big-endian.
 */
public final class Wire {
    public static final byte VERSION = 1;
    public static final byte TYPE_INIT = 1;
    public static final byte TYPE_RESPONSE = 2;
    public static final byte TYPE_FINISH = 3;
    public static final byte TYPE_DATA = 0x10;

    public static final int SID = SessionId.LENGTH;
    public static final int PT = P256.POINT_LEN;
    public static final int SIG = P256.SIGNATURE_LEN;
    public static final int MAC = HmacSha256.TAG_LEN;
    public static final int PREFIX = 2 + 2 * SID;
    public static final int INIT_LEN = PREFIX + PT + PT + SIG;            // 228
    public static final int RESPONSE_LEN = PREFIX + PT + PT + SIG + MAC;  // 260
    public static final int FINISH_LEN = PREFIX + SIG + MAC;              // 130
    /** version | type | epoch(4) | seq(8) */
    public static final int DATA_HEADER = 14;
    public static final int DATA_MIN = DATA_HEADER + Padding.MIN_BUCKET + 16 + SIG;
    public static final int DATA_MAX = DATA_HEADER + Padding.bucket(Padding.INNER_HEADER + Padding.MAX_BODY) + 16 + SIG;

    private Wire() {
    }

    /** INIT: prefix | initiator ephemeral | initiator identity | initiator signature over THI. */
    public record Init(byte[] sidI, byte[] sidR, byte[] eI, byte[] idI, byte[] sig) {
    }

    /** RESPONSE: prefix | responder ephemeral | responder identity | signature | MAC. */
    public record Response(byte[] sidI, byte[] sidR, byte[] eR, byte[] idR, byte[] sig, byte[] mac) {
    }

    /** FINISH: prefix | signature | MAC (the initiator identity was sent in INIT). */
    public record Finish(byte[] sidI, byte[] sidR, byte[] sig, byte[] mac) {
    }

    /** DATA: header | ciphertext+tag | signature. */
    public record Data(byte[] header, int epoch, long seq, byte[] ciphertext, byte[] sig) {
    }

    public static byte[] encodeInit(Init m) {
        return ByteBuffer.allocate(INIT_LEN).put(VERSION).put(TYPE_INIT).put(m.sidI).put(m.sidR)
                .put(m.eI).put(m.idI).put(m.sig).array();
    }

    public static byte[] encodeResponse(Response m) {
        return ByteBuffer.allocate(RESPONSE_LEN).put(VERSION).put(TYPE_RESPONSE).put(m.sidI).put(m.sidR)
                .put(m.eR).put(m.idR).put(m.sig).put(m.mac).array();
    }

    public static byte[] encodeFinish(Finish m) {
        return ByteBuffer.allocate(FINISH_LEN).put(VERSION).put(TYPE_FINISH).put(m.sidI).put(m.sidR)
                .put(m.sig).put(m.mac).array();
    }

    public static Init parseInit(byte[] msg) throws HandshakeException {
        ByteBuffer b = handshakePrefix(msg, TYPE_INIT, INIT_LEN, "INIT");
        return new Init(take(b, SID), take(b, SID), take(b, PT), take(b, PT), take(b, SIG));
    }

    public static Response parseResponse(byte[] msg) throws HandshakeException {
        ByteBuffer b = handshakePrefix(msg, TYPE_RESPONSE, RESPONSE_LEN, "RESPONSE");
        return new Response(take(b, SID), take(b, SID), take(b, PT), take(b, PT), take(b, SIG), take(b, MAC));
    }

    public static Finish parseFinish(byte[] msg) throws HandshakeException {
        ByteBuffer b = handshakePrefix(msg, TYPE_FINISH, FINISH_LEN, "FINISH");
        return new Finish(take(b, SID), take(b, SID), take(b, SIG), take(b, MAC));
    }

    public static byte[] dataHeader(int epoch, long seq) {
        return ByteBuffer.allocate(DATA_HEADER).put(VERSION).put(TYPE_DATA).putInt(epoch).putLong(seq).array();
    }

    /** Structural parse only; nothing here is authenticated yet. */
    public static Data parseData(byte[] msg) throws MalformedMessageException {
        if (msg == null || msg.length < 2) {
            throw new MalformedMessageException("sealed message truncated");
        }
        if (msg[0] != VERSION) {
            throw new MalformedMessageException("unsupported protocol version " + (msg[0] & 0xff));
        }
        if (msg[1] != TYPE_DATA) {
            throw new MalformedMessageException("not a sealed data message (type " + (msg[1] & 0xff) + ")");
        }
        if (msg.length < DATA_MIN) {
            throw new MalformedMessageException("sealed message truncated");
        }
        if (msg.length > DATA_MAX) {
            throw new MalformedMessageException("sealed message too large");
        }
        ByteBuffer b = ByteBuffer.wrap(msg);
        byte[] header = take(b, DATA_HEADER);
        ByteBuffer h = ByteBuffer.wrap(header, 2, 12);
        int epoch = h.getInt();
        long seq = h.getLong();
        byte[] ct = take(b, msg.length - DATA_HEADER - SIG);
        byte[] sig = take(b, SIG);
        return new Data(header, epoch, seq, ct, sig);
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    private static ByteBuffer handshakePrefix(byte[] msg, byte type, int len, String name) throws HandshakeException {
        if (msg == null || msg.length < 2) {
            throw new HandshakeException("handshake message truncated (expected " + name + ")");
        }
        if (msg[0] != VERSION) {
            throw new HandshakeException("unsupported protocol version " + (msg[0] & 0xff) + " in " + name
                    + " (only version " + VERSION + ")");
        }
        if (msg[1] != type) {
            throw new HandshakeException("unexpected handshake message type " + (msg[1] & 0xff) + ", expected " + name
                    + " (reflected or out-of-order message?)");
        }
        if (msg.length != len) {
            throw new HandshakeException(name + " has length " + msg.length + ", expected " + len);
        }
        ByteBuffer b = ByteBuffer.wrap(msg);
        b.position(2);
        return b;
    }

    private static byte[] take(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /** Constant-time equality of two session-ID fields. */
    public static boolean sameId(byte[] a, SessionId b) {
        return java.security.MessageDigest.isEqual(a, b.toBytes());
    }
}
