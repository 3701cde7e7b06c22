package io.securerelay.identity;

import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.crypto.P256;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;

/**
 * A validated long-term P-256 identity public key. Immutable; equality is on the encoded point,
 * compared in constant time. {@link #toString()} shows the fingerprint only.
 */
public final class IdentityPublicKey {
    private final ECPublicKey key;
    private final byte[] point;
    private final byte[] spki;
    private final String fingerprint;

    private IdentityPublicKey(ECPublicKey key) {
        this.key = key;
        this.point = P256.encodePoint(key);
        this.spki = P256.encodeSpki(key);
        this.fingerprint = Fingerprints.fingerprintOfSpki(spki);
    }

    /**
     * @param point 65-byte uncompressed P-256 point, as carried in handshake messages
     * @throws InvalidPublicKeyException if it is not a valid point
     */
    public static IdentityPublicKey fromPoint(byte[] point) throws InvalidPublicKeyException {
        return new IdentityPublicKey(P256.decodePoint(point));
    }

    /**
     * @param spki DER SubjectPublicKeyInfo, as in PEM "PUBLIC KEY" files
     * @throws InvalidPublicKeyException if it is not a valid named-curve P-256 key
     */
    public static IdentityPublicKey fromSpki(byte[] spki) throws InvalidPublicKeyException {
        return new IdentityPublicKey(P256.decodeSpki(spki));
    }

    static IdentityPublicKey of(ECPublicKey validated) {
        return new IdentityPublicKey(validated);
    }

    /** @return the JCA key (BouncyCastle), for signature verification. */
    public ECPublicKey jcaKey() {
        return key;
    }

    /** @return a copy of the 65-byte uncompressed point. */
    public byte[] point() {
        return point.clone();
    }

    /** @return a copy of the DER SubjectPublicKeyInfo. */
    public byte[] spki() {
        return spki.clone();
    }

    /** @return SHA-256 of the SPKI DER as 16 groups of 4 lowercase hex digits. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentityPublicKey && MessageDigest.isEqual(point, ((IdentityPublicKey) o).point);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "IdentityPublicKey[" + fingerprint + "]";
    }
}
