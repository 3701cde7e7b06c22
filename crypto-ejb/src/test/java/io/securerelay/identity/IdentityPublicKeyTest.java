package io.securerelay.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.crypto.P256;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** Decoding identity keys: validation on every call, and the cache of recently decoded keys. */
class IdentityPublicKeyTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aReturningKeyIsTheSameObjectAndEqualsTheOriginal() throws Exception {
        IdentityKeyPair id = IdentityKeyPair.generate(RANDOM);
        byte[] point = id.publicKey().point();
        IdentityPublicKey first = IdentityPublicKey.fromPoint(point);
        IdentityPublicKey again = IdentityPublicKey.fromPoint(point.clone());
        IdentityPublicKey viaSpki = IdentityPublicKey.fromSpki(id.publicKey().spki());
        assertSame(first, again);
        assertSame(first, viaSpki);
        assertEquals(id.publicKey(), first);
        assertEquals(id.publicKey().fingerprint(), first.fingerprint());
        assertArrayEquals(id.publicKey().spki(), first.spki());
        assertArrayEquals(point, P256.encodePoint(first.jcaKey()));
        point[10] ^= 1; // the caller's array is not the cache key
        assertSame(first, IdentityPublicKey.fromPoint(id.publicKey().point()));
    }

    @Test
    void signaturesVerifyWithTheCachedKey() throws Exception {
        IdentityKeyPair id = IdentityKeyPair.generate(RANDOM);
        IdentityPublicKey k = IdentityPublicKey.fromPoint(id.publicKey().point());
        for (int i = 0; i < 10; i++) { // past BouncyCastle's promotion to fixed-point tables
            byte[] m = {(byte) i};
            P256.verify(IdentityPublicKey.fromPoint(id.publicKey().point()).jcaKey(), id.sign(m), m);
        }
        byte[] sig = id.sign(new byte[] {1});
        sig[5] ^= 1;
        assertThrows(io.securerelay.crypto.AuthenticationFailedException.class,
                () -> P256.verify(k.jcaKey(), sig, new byte[] {1}));
    }

    @Test
    void invalidEncodingsAreRefusedEvenWhenTheValidPointIsCached() throws Exception {
        byte[] point = IdentityKeyPair.generate(RANDOM).publicKey().point();
        IdentityPublicKey.fromPoint(point);
        byte[] offCurve = point.clone();
        offCurve[64] ^= 1;
        byte[] compressed = new byte[33];
        System.arraycopy(point, 0, compressed, 0, 33);
        compressed[0] = (byte) (0x02 | (point[64] & 1));
        assertThrows(InvalidPublicKeyException.class, () -> IdentityPublicKey.fromPoint(offCurve));
        assertThrows(InvalidPublicKeyException.class, () -> IdentityPublicKey.fromPoint(compressed));
        assertThrows(InvalidPublicKeyException.class, () -> IdentityPublicKey.fromPoint(null));
        byte[] spki = P256.spkiOfPoint(point);
        byte[] longForm = new byte[spki.length + 1]; // same key, SEQUENCE length in non-minimal long form
        longForm[0] = 0x30;
        longForm[1] = (byte) 0x81;
        System.arraycopy(spki, 1, longForm, 2, spki.length - 1);
        assertThrows(InvalidPublicKeyException.class, () -> IdentityPublicKey.fromSpki(longForm));
    }

    @Test
    void theCacheIsBoundedAndEvictsTheLeastRecentlyUsedKey() throws Exception {
        byte[] oldest = IdentityKeyPair.generate(RANDOM).publicKey().point();
        byte[] kept = IdentityKeyPair.generate(RANDOM).publicKey().point();
        IdentityPublicKey oldestFirst = IdentityPublicKey.fromPoint(oldest);
        IdentityPublicKey keptFirst = IdentityPublicKey.fromPoint(kept);
        for (int i = 0; i < IdentityPublicKey.RECENT_KEYS; i++) {
            IdentityPublicKey.fromPoint(kept); // keep it recently used
            IdentityPublicKey.fromPoint(IdentityKeyPair.generate(RANDOM).publicKey().point());
        }
        assertSame(keptFirst, IdentityPublicKey.fromPoint(kept));
        IdentityPublicKey oldestAgain = IdentityPublicKey.fromPoint(oldest);
        assertNotSame(oldestFirst, oldestAgain, "evicted, decoded anew");
        assertEquals(oldestFirst, oldestAgain);
    }
}
