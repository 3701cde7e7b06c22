package io.securerelay.protocol.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Self-certifying session IDs: the routing key, the REGISTER proof and its verification, against
 * known answers and an attacker who tampers with every field.
 */
class RoutingKeyTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The private key of RFC 6979 appendix A.2.5 (P-256). */
    static final RoutingKey BANK = RoutingKey.fromPrivateScalar(
            HEX.parseHex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
    static final RoutingKey CUSTOMER = RoutingKey.fromPrivateScalar(HEX.parseHex("11".repeat(32)));
    static final byte[] NONCE = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    @Test
    void publicKeyAndSignatureMatchRfc6979() {
        // RFC 6979 A.2.5: public key Ux, Uy; with SHA-256, message "sample": r, s.
        assertEquals("04" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
                + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299", HEX.formatHex(BANK.publicKey()));
        assertEquals("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                + "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
                HEX.formatHex(BANK.sign("sample".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void sessionIdIsTheFirst16BytesOfSha256OfThePublicKey() {
        assertEquals(SessionId.parse("b18b86ce1389e46de87aa4a5131ce83c"), BANK.sessionId());
        assertEquals(BANK.sessionId(), RoutingKey.sessionIdOf(BANK.publicKey()));
        assertEquals(SessionId.parse("2bad0fd610d99eae443e932a26142bca"), CUSTOMER.sessionId());
    }

    /** The worked example of docs/PROTOCOL.md, part 1, byte for byte. */
    @Test
    void workedExampleOfTheProtocolDocument() throws Exception {
        assertEquals("0180" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                hex(RelayCodec.encode(new RelayFrame.Challenge(NONCE))));
        assertEquals("7365637572652d72656c61792f72656769737465722f7631"
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                + "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
                + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
                HEX.formatHex(RegistrationProof.signedBytes(NONCE, BANK.publicKey())));
        RelayFrame.Register register = BANK.register(NONCE);
        assertEquals("0101"
                + "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
                + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
                + "fb614249beb26dd068cebbbc1a6bdc28875d2cdd3d16445636e07188ec4ba7bf"
                + "ff2eb33bb553906e4aa14d49e4dba0a2f2419cbb1e2ba53736b6fc5a60739683",
                hex(RelayCodec.encode(register)));
        assertEquals(BANK.sessionId(), RegistrationProof.verify(register, NONCE));
        assertEquals("0181" + "b18b86ce1389e46de87aa4a5131ce83c",
                hex(RelayCodec.encode(new RelayFrame.Registered(BANK.sessionId()))));
        assertEquals("0102" + "2bad0fd610d99eae443e932a26142bca" + "cafe",
                hex(RelayCodec.encode(new RelayFrame.Send(CUSTOMER.sessionId(), ByteBuffer.wrap(HEX.parseHex("cafe"))))));
        assertEquals("0182" + "b18b86ce1389e46de87aa4a5131ce83c" + "cafe",
                hex(RelayCodec.deliver(BANK.sessionId(), ByteBuffer.wrap(HEX.parseHex("cafe")))));
        assertEquals("0183" + "0001" + "2bad0fd610d99eae443e932a26142bca" + "70656572206e6f7420636f6e6e6563746564",
                hex(RelayCodec.encode(new RelayFrame.Error(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, CUSTOMER.sessionId()))));
    }

    @Test
    void aFreshKeyRegistersAndVerifies() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        assertEquals(key.sessionId(), RegistrationProof.verify(key.register(nonce), nonce));
        assertNotEquals(key.sessionId(), RoutingKey.generate(RANDOM).sessionId());
    }

    @Test
    void aProofForAnotherNonceIsRefused() {
        byte[] other = NONCE.clone();
        other[31] ^= 1;
        assertInvalid(BANK.register(NONCE), other);
    }

    @Test
    void everyFlippedBitOfTheSignatureOrKeyIsRefused() {
        byte[] key = BANK.publicKey();
        byte[] sig = BANK.register(NONCE).signature();
        for (int bit = 0; bit < sig.length * 8; bit++) {
            byte[] s = sig.clone();
            s[bit / 8] ^= (byte) (1 << (bit % 8));
            assertInvalid(new RelayFrame.Register(key, s), NONCE);
        }
        for (int bit = 0; bit < key.length * 8; bit++) {
            byte[] k = key.clone();
            k[bit / 8] ^= (byte) (1 << (bit % 8));
            assertInvalid(new RelayFrame.Register(k, sig), NONCE);
        }
    }

    @Test
    void aThiefCannotRegisterTheOwnersIdWithItsOwnKey() throws Exception {
        RoutingKey thief = RoutingKey.generate(RANDOM);
        // The owner's public key with the thief's signature (over the owner's key bytes).
        byte[] thiefSig = thief.sign(RegistrationProof.signedBytes(NONCE, BANK.publicKey()));
        assertInvalid(new RelayFrame.Register(BANK.publicKey(), thiefSig), NONCE);
        // The thief's own valid proof only ever yields the thief's own ID.
        assertEquals(thief.sessionId(), RegistrationProof.verify(thief.register(NONCE), NONCE));
    }

    @Test
    void invalidPointsAndDegenerateSignaturesAreRefused() {
        byte[] sig = BANK.register(NONCE).signature();
        byte[] key = BANK.publicKey();
        byte[] p = io.securerelay.crypto.ec.P256Curve.domain().getCurve().getField().getCharacteristic().toByteArray();
        byte[] xIsP = key.clone();
        System.arraycopy(p, p.length - 32, xIsP, 1, 32);
        byte[] compressedPrefix = key.clone();
        compressedPrefix[0] = 0x02;
        byte[] offCurve = key.clone();
        offCurve[64] ^= 1;
        byte[][] badKeys = {new byte[65], xIsP, compressedPrefix, offCurve, HEX.parseHex("00" + "00".repeat(64))};
        for (byte[] k : badKeys) {
            assertInvalid(new RelayFrame.Register(k, sig), NONCE);
        }
        byte[] n = io.securerelay.crypto.ec.P256Curve.order().toByteArray();
        byte[] rIsZero = sig.clone();
        java.util.Arrays.fill(rIsZero, 0, 32, (byte) 0);
        byte[] sIsN = sig.clone();
        System.arraycopy(n, n.length - 32, sIsN, 32, 32);
        byte[] allOnes = HEX.parseHex("ff".repeat(64)); // r and s above n
        for (byte[] s : new byte[][] {new byte[64], rIsZero, sIsN, allOnes}) {
            assertInvalid(new RelayFrame.Register(key, s), NONCE);
        }
    }

    @Test
    void theHighSVariantOfAValidSignatureIsAlsoValid() throws Exception {
        // ECDSA signatures are malleable (r, n - s); the relay accepts both, which is harmless: the
        // proof is bound to a fresh nonce and grants only what the key holder could claim anyway.
        byte[] sig = BANK.register(NONCE).signature();
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        byte[] neg = io.securerelay.crypto.ec.P256Curve.order().subtract(s).toByteArray();
        byte[] flipped = sig.clone();
        java.util.Arrays.fill(flipped, 32, 64, (byte) 0);
        int len = Math.min(neg.length, 32);
        System.arraycopy(neg, neg.length - len, flipped, 64 - len, len);
        assertFalse(java.util.Arrays.equals(sig, flipped));
        assertEquals(BANK.sessionId(), RegistrationProof.verify(new RelayFrame.Register(BANK.publicKey(), flipped), NONCE));
    }

    @Test
    void keysAreValidatedAndNeverShown() {
        assertThrows(IllegalArgumentException.class, () -> RoutingKey.fromPrivateScalar(new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> RoutingKey.fromPrivateScalar(new byte[31]));
        byte[] n = io.securerelay.crypto.ec.P256Curve.order().toByteArray();
        assertThrows(IllegalArgumentException.class,
                () -> RoutingKey.fromPrivateScalar(java.util.Arrays.copyOfRange(n, n.length - 32, n.length)));
        assertThrows(IllegalArgumentException.class, () -> BANK.register(new byte[31]));
        assertEquals("RoutingKey[b18b86ce1389e46de87aa4a5131ce83c]", BANK.toString());
        assertTrue(!BANK.toString().contains("c9afa9d8"));
        byte[] pub = BANK.publicKey();
        pub[1] = 0;
        assertArrayEquals(RoutingKeyTest.BANK.publicKey(), BANK.publicKey(), "publicKey() returns a copy");
    }

    @Test
    void generationDrawsTheScalarFromTheGivenRandom() {
        // A random that first yields n (out of range, rejected), then 0x11..11: the key is CUSTOMER.
        byte[] n = io.securerelay.crypto.ec.P256Curve.order().toByteArray();
        byte[][] draws = {java.util.Arrays.copyOfRange(n, n.length - 32, n.length), HEX.parseHex("11".repeat(32))};
        SecureRandom scripted = new SecureRandom() {
            private int i;

            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(draws[i++], 0, bytes, 0, bytes.length);
            }
        };
        assertEquals(CUSTOMER.sessionId(), RoutingKey.generate(scripted).sessionId());
    }

    private static void assertInvalid(RelayFrame.Register register, byte[] nonce) {
        assertThrows(InvalidRegistrationException.class, () -> RegistrationProof.verify(register, nonce),
                () -> "accepted " + HEX.formatHex(register.publicKey()) + " " + HEX.formatHex(register.signature()));
    }

    private static String hex(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return HEX.formatHex(out);
    }
}
