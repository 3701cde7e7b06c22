package io.securerelay.identity;

import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.crypto.P256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated long-term P-256 identity public key. Immutable; equality is on the encoded point,
 * compared in constant time. {@link #toString()} shows the fingerprint only.
 * <p>Keys decoded from outside ({@link #fromPoint}, {@link #fromSpki}) are validated on every call;
 * a key whose exact 65-byte point was decoded recently is then returned as the same object (a small
 * process-wide LRU of {@value #RECENT_KEYS} keys). That object carries BouncyCastle's precomputed
 * multiples of the point, so verifying a returning peer's signatures takes BouncyCastle's fixed-point
 * path (about 2.5 times faster here than for a point seen for the first time). The cache holds public
 * keys only; sharing an immutable key object between threads and sessions is safe.
 */
public final class IdentityPublicKey {
    /** How many recently decoded identity keys are kept (measured: about 4 KB each with BC's tables). */
    static final int RECENT_KEYS = 64;
    private static final Map<ByteBuffer, IdentityPublicKey> RECENT =
            new LinkedHashMap<>(2 * RECENT_KEYS, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<ByteBuffer, IdentityPublicKey> eldest) {
                    return size() > RECENT_KEYS;
                }
            };

    private final ECPublicKey key;
    private final byte[] point;
    private final byte[] spki;
    private final String fingerprint;

    private IdentityPublicKey(ECPublicKey key) {
        this.key = key;
        this.point = P256.encodePoint(key);
        this.spki = P256.spkiOfPoint(point);
        this.fingerprint = Fingerprints.fingerprintOfSpki(spki);
    }

    /**
     * @param point 65-byte uncompressed P-256 point, as carried in handshake messages
     * @throws InvalidPublicKeyException if it is not a valid point
     */
    public static IdentityPublicKey fromPoint(byte[] point) throws InvalidPublicKeyException {
        byte[] p = point == null ? null : point.clone(); // validate, look up and decode the same bytes
        P256.validatePoint(p); // every call, cached or not
        ByteBuffer k = ByteBuffer.wrap(p);
        IdentityPublicKey known = recent(k);
        if (known != null) {
            return known;
        }
        return remember(k, new IdentityPublicKey(P256.decodePoint(p)));
    }

    /**
     * @param spki DER SubjectPublicKeyInfo, as in PEM "PUBLIC KEY" files
     * @throws InvalidPublicKeyException if it is not a valid named-curve P-256 key
     */
    public static IdentityPublicKey fromSpki(byte[] spki) throws InvalidPublicKeyException {
        ECPublicKey validated = P256.decodeSpki(spki); // strict DER and point validation, every call
        ByteBuffer k = ByteBuffer.wrap(P256.encodePoint(validated));
        IdentityPublicKey known = recent(k);
        if (known != null) {
            return known;
        }
        return remember(k, new IdentityPublicKey(validated));
    }

    private static IdentityPublicKey recent(ByteBuffer point) {
        synchronized (RECENT) {
            return RECENT.get(point);
        }
    }

    private static IdentityPublicKey remember(ByteBuffer point, IdentityPublicKey key) {
        synchronized (RECENT) {
            IdentityPublicKey raced = RECENT.putIfAbsent(point, key);
            return raced != null ? raced : key;
        }
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
