package io.securerelay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The short cuts in P256's encoders give exactly what the general (JCA / ASN.1) encoders give. */
class P256EncodingTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The point from the JCA view of the key (affine x, y as BigIntegers), padded to 32 bytes each. */
    private static byte[] pointViaJca(ECPublicKey k) {
        byte[] out = new byte[P256.POINT_LEN];
        out[0] = 0x04;
        byte[] x = k.getW().getAffineX().toByteArray();
        byte[] y = k.getW().getAffineY().toByteArray();
        int lx = Math.min(32, x.length);
        int ly = Math.min(32, y.length);
        System.arraycopy(x, x.length - lx, out, 33 - lx, lx);
        System.arraycopy(y, y.length - ly, out, 65 - ly, ly);
        return out;
    }

    @Test
    void pointAndSpkiEncodingsMatchTheGeneralEncoders() throws Exception {
        for (int i = 0; i < 200; i++) {
            KeyPair kp = P256.generateKeyPair(RANDOM);
            ECPublicKey pub = (ECPublicKey) kp.getPublic();
            byte[] point = P256.encodePoint(pub);
            assertArrayEquals(pointViaJca(pub), point, "encodePoint");
            byte[] spki = P256.spkiOfPoint(point);
            assertArrayEquals(pub.getEncoded(), spki, "SPKI header + point must equal BouncyCastle's DER");
            assertArrayEquals(spki, P256.encodeSpki(pub));
            assertArrayEquals(point, P256.encodePoint(P256.decodeSpki(spki)), "SPKI round trip");
        }
    }

    @Test
    void smallCoordinatesAreLeftPaddedToThirtyTwoBytes() throws Exception {
        // Search a point whose x has a leading zero byte (1 in 256 keys), where a careless encoder would shift.
        for (int i = 0; i < 10_000; i++) {
            ECPublicKey pub = P256.publicKeyOf(P256.privateKey(new BigInteger(255, RANDOM).add(BigInteger.ONE)));
            if (pub.getW().getAffineX().bitLength() <= 248) {
                byte[] point = P256.encodePoint(pub);
                assertEquals(0, point[1]);
                assertArrayEquals(pointViaJca(pub), point);
                assertArrayEquals(pub.getEncoded(), P256.spkiOfPoint(point));
                return;
            }
        }
        throw new AssertionError("no point with a short x found");
    }

    @Test
    void spkiOfPointRefusesAnythingButAnUncompressedPoint() {
        byte[] point = P256.encodePoint(P256.generateKeyPair(RANDOM).getPublic());
        assertThrows(IllegalArgumentException.class, () -> P256.spkiOfPoint(Arrays.copyOf(point, 64)));
        byte[] compressed = point.clone();
        compressed[0] = 0x02;
        assertThrows(IllegalArgumentException.class, () -> P256.spkiOfPoint(compressed));
        assertThrows(IllegalArgumentException.class, () -> P256.spkiOfPoint(null));
    }

    @Test
    void validatePointAcceptsAndRefusesExactlyWhatDecodePointDoes() throws Exception {
        byte[] good = P256.encodePoint(P256.generateKeyPair(RANDOM).getPublic());
        P256.validatePoint(good);
        byte[] offCurve = good.clone();
        offCurve[64] ^= 1;
        byte[] infinity = new byte[P256.POINT_LEN];
        infinity[0] = 0x04;
        byte[] xTooBig = good.clone();
        Arrays.fill(xTooBig, 1, 33, (byte) 0xff);
        for (byte[] bad : new byte[][] {offCurve, infinity, xTooBig, Arrays.copyOf(good, 64), null}) {
            assertThrows(InvalidPublicKeyException.class, () -> P256.validatePoint(bad));
            assertThrows(InvalidPublicKeyException.class, () -> P256.decodePoint(bad));
        }
    }
}
