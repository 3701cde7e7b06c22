package io.securerelay.protocol.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RelayCodecTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final SessionId A = SessionId.parse("000102030405060708090a0b0c0d0e0f");
    private static final SessionId B = SessionId.parse("f0e0d0c0b0a090807060504030201000");

    private static final byte[] KEY = HEX.parseHex("04" + "11".repeat(64));
    private static final byte[] SIG = HEX.parseHex("22".repeat(64));
    private static final byte[] NONCE = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    @Test
    void registerIsVersionTypePublicKeyAndSignature() throws Exception {
        ByteBuffer wire = RelayCodec.encode(new RelayFrame.Register(KEY, SIG));
        assertEquals(131, wire.remaining());
        assertEquals("0101" + HEX.formatHex(KEY) + HEX.formatHex(SIG), hex(wire));
        assertEquals(new RelayFrame.Register(KEY, SIG), RelayCodec.decodeClientFrame(wire));
    }

    @Test
    void challengeIsVersionTypeAndNonce() throws Exception {
        ByteBuffer wire = RelayCodec.encode(new RelayFrame.Challenge(NONCE));
        assertEquals("0180" + HEX.formatHex(NONCE), hex(wire));
        assertEquals(new RelayFrame.Challenge(NONCE), RelayCodec.decodeServerFrame(wire));
    }

    @Test
    void framesWithArraysCopyThemAndCompareByContent() {
        byte[] key = KEY.clone();
        RelayFrame.Register r = new RelayFrame.Register(key, SIG);
        key[1] = 0;
        r.publicKey()[2] = 0;
        assertEquals(new RelayFrame.Register(KEY, SIG), r);
        assertEquals(new RelayFrame.Register(KEY, SIG).hashCode(), r.hashCode());
        assertThrows(IllegalArgumentException.class, () -> new RelayFrame.Register(new byte[64], SIG));
        assertThrows(IllegalArgumentException.class, () -> new RelayFrame.Register(KEY, new byte[65]));
        assertThrows(IllegalArgumentException.class, () -> new RelayFrame.Challenge(new byte[31]));
    }

    @Test
    void sendCarriesThePayloadUnchangedAfterTheDestination() throws Exception {
        ByteBuffer wire = RelayCodec.encode(new RelayFrame.Send(B, ByteBuffer.wrap(new byte[] {(byte) 0xca, (byte) 0xfe})));
        assertEquals("0102" + B.toHex() + "cafe", hex(wire));
        RelayFrame.Send send = assertInstanceOf(RelayFrame.Send.class, RelayCodec.decodeClientFrame(wire));
        assertEquals(B, send.to());
        assertArrayEquals(new byte[] {(byte) 0xca, (byte) 0xfe}, send.payloadBytes());
    }

    @Test
    void deliverKeepsThePayloadAndNamesTheSender() throws Exception {
        ByteBuffer payload = ByteBuffer.wrap(HEX.parseHex("00ff10"));
        ByteBuffer wire = RelayCodec.deliver(A, payload);
        assertEquals("0182" + A.toHex() + "00ff10", hex(wire));
        RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, RelayCodec.decodeServerFrame(wire));
        assertEquals(A, d.from());
        assertArrayEquals(HEX.parseHex("00ff10"), d.payloadBytes());
        assertEquals(3, payload.remaining(), "encoding must not consume the caller's buffer");
    }

    @Test
    void emptyPayloadsAreValid() throws Exception {
        RelayFrame.Send send = assertInstanceOf(RelayFrame.Send.class,
                RelayCodec.decodeClientFrame(ByteBuffer.wrap(HEX.parseHex("0102" + B.toHex()))));
        assertEquals(0, send.payload().remaining());
    }

    @Test
    void errorFrameCarriesCodeSubjectAndReason() throws Exception {
        ByteBuffer wire = RelayCodec.encode(new RelayFrame.Error(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, B));
        assertEquals("0183" + "0001" + B.toHex() + HEX.formatHex("peer not connected".getBytes()), hex(wire));
        RelayFrame.Error e = assertInstanceOf(RelayFrame.Error.class, RelayCodec.decodeServerFrame(wire));
        assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, e.errorCode());
        assertEquals(B, e.subject());
        assertEquals("peer not connected", e.reason());
    }

    @Test
    void unknownErrorCodesAreKeptForNewerRelays() throws Exception {
        ByteBuffer wire = ByteBuffer.wrap(HEX.parseHex("0183" + "7777" + A.toHex()));
        RelayFrame.Error e = assertInstanceOf(RelayFrame.Error.class, RelayCodec.decodeServerFrame(wire));
        assertEquals(0x7777, e.code());
        assertEquals(null, e.errorCode());
    }

    @Test
    void rejectsEveryMalformedClientFrame() {
        String[] bad = {
            "",                              // empty
            "01",                            // header cut
            "0201" + A.toHex(),              // unknown version 2
            "0001" + A.toHex(),              // version 0
            "0103" + A.toHex(),              // unknown type
            "0181" + A.toHex(),              // a relay-to-client type sent by a client
            "0101" + A.toHex(),              // REGISTER in the old 18-byte layout
            "0101" + HEX.formatHex(KEY) + HEX.formatHex(SIG).substring(2), // REGISTER one byte short
            "0101" + HEX.formatHex(KEY) + HEX.formatHex(SIG) + "00",       // REGISTER with a trailing byte
            "0180" + HEX.formatHex(NONCE),   // a CHALLENGE sent by a client
            "0102" + "0011",                 // SEND truncated in its ID
        };
        for (String frame : bad) {
            assertThrows(MalformedFrameException.class,
                    () -> RelayCodec.decodeClientFrame(ByteBuffer.wrap(HEX.parseHex(frame))), frame);
        }
    }

    @Test
    void rejectsEveryMalformedServerFrame() {
        String[] bad = {
            "", "01", "0282" + A.toHex(), "0101" + A.toHex(), "0181" + A.toHex() + "00",
            "0180" + HEX.formatHex(NONCE).substring(2), "0180" + HEX.formatHex(NONCE) + "00", // CHALLENGE 33 and 35 bytes
            "0182" + "00", "0183" + "00", "0183" + "0001" + "0011",
            "0183" + "0001" + A.toHex() + "ff", // reason not UTF-8
            "0183" + "0001" + A.toHex() + "61".repeat(RelayCodec.MAX_REASON_BYTES + 1),
        };
        for (String frame : bad) {
            assertThrows(MalformedFrameException.class,
                    () -> RelayCodec.decodeServerFrame(ByteBuffer.wrap(HEX.parseHex(frame))), frame);
        }
    }

    @Test
    void sessionIdsParseTheWayUsersTypeThem() {
        SessionId id = SessionId.parse("0001 0203-0405 0607 0809 0A0B 0C0D 0E0F");
        assertEquals(A, id);
        assertEquals("00010203", id.shortForm());
        assertThrows(IllegalArgumentException.class, () -> SessionId.parse("xyz"));
        assertThrows(IllegalArgumentException.class, () -> SessionId.parse(A.toHex() + "00"));
        assertThrows(IllegalArgumentException.class, () -> SessionId.of(new byte[15]));
    }

    @Test
    void sessionIdCopiesItsBytes() {
        byte[] raw = A.toBytes();
        SessionId id = SessionId.of(raw);
        raw[0] = 99;
        assertEquals(A, id);
        id.toBytes()[1] = 99;
        assertEquals(A, id);
    }

    private static String hex(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return HEX.formatHex(out);
    }
}
