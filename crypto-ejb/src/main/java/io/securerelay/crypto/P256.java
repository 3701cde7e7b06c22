package io.securerelay.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import io.securerelay.crypto.ec.InvalidPointException;
import io.securerelay.crypto.ec.P256Curve;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPrivateKeySpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.bouncycastle.math.ec.ECPoint;

/**
 * NIST P-256 (secp256r1) operations from BouncyCastle, asked for by provider name.
 * <p>Every public key that comes from outside is decoded here (or, on the relay, by
 * {@link P256Curve}, whose one validation this class uses), and is validated: exact encoding
 * (65-byte uncompressed point, or strict-DER SPKI with the named-curve OID), coordinates in range,
 * point on the curve, not the point at infinity. P-256 has cofactor 1, so a point on the curve lies
 * in the prime-order group; invalid-curve and twist points are refused.
 * Signatures have an explicit encoding: raw r||s (IEEE P1363, 64 bytes) for the protocol, DER
 * only for interoperability tests.
 */
public final class P256 {
    public static final String CURVE_NAME = P256Curve.NAME;
    /** Uncompressed point: 0x04 || x(32) || y(32). */
    public static final int POINT_LEN = P256Curve.POINT_LEN;
    /** Raw r||s signature length. */
    public static final int SIGNATURE_LEN = P256Curve.SIGNATURE_LEN;
    /** ECDH shared secret (x coordinate) length. */
    public static final int SHARED_SECRET_LEN = 32;

    private static final ECDomainParameters DOMAIN = P256Curve.domain();
    /** The JCA form of the same domain, so that validated points and keys share one curve object. */
    private static final ECNamedCurveParameterSpec SPEC = new ECNamedCurveParameterSpec(CURVE_NAME,
            DOMAIN.getCurve(), DOMAIN.getG(), DOMAIN.getN(), DOMAIN.getH(), DOMAIN.getSeed());
    private static final String BC = CryptoProviders.BC;
    /**
     * DER header of a P-256 SubjectPublicKeyInfo: SEQUENCE(89) { SEQUENCE(19) { OID id-ecPublicKey,
     * OID prime256v1 }, BIT STRING(66, no unused bits) } -- the 65-byte point follows.
     */
    private static final byte[] SPKI_HEADER = java.util.HexFormat.of().parseHex(
            "3059301306072a8648ce3d020106082a8648ce3d030107034200");

    static {
        CryptoProviders.installBouncyCastle();
    }

    private P256() {
    }

    /** Generates a key pair with BouncyCastle from the given randomness. */
    public static KeyPair generateKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
            g.initialize(new ECGenParameterSpec(CURVE_NAME), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError("EC key generation unavailable", e);
        }
    }

    /**
     * Decodes and validates a 65-byte uncompressed point.
     * @throws InvalidPublicKeyException if it is not a valid P-256 point in that encoding
     */
    public static ECPublicKey decodePoint(byte[] encoded) throws InvalidPublicKeyException {
        ECPoint p = validPoint(encoded);
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC", BC).generatePublic(new ECPublicKeySpec(p, SPEC));
        } catch (GeneralSecurityException e) {
            throw new AssertionError("EC key factory failed on a validated point", e);
        }
    }

    /**
     * Validates a 65-byte uncompressed point exactly as {@link #decodePoint} does, without building a
     * key object (for callers that may already hold a key object for these exact bytes).
     * @throws InvalidPublicKeyException if it is not a valid P-256 point in that encoding
     */
    public static void validatePoint(byte[] encoded) throws InvalidPublicKeyException {
        validPoint(encoded);
    }

    private static ECPoint validPoint(byte[] encoded) throws InvalidPublicKeyException {
        try {
            return P256Curve.decodeValidPoint(encoded); // the project's one point validation
        } catch (InvalidPointException e) {
            throw new InvalidPublicKeyException(e.getMessage());
        }
    }

    /**
     * Decodes and validates an X.509 SubjectPublicKeyInfo (strict DER, id-ecPublicKey with the
     * named curve prime256v1 only, uncompressed point).
     * @throws InvalidPublicKeyException for anything else
     */
    public static ECPublicKey decodeSpki(byte[] der) throws InvalidPublicKeyException {
        SubjectPublicKeyInfo spki;
        try {
            spki = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
            if (spki == null || !Arrays.equals(spki.getEncoded(ASN1Encoding.DER), der)) {
                throw new InvalidPublicKeyException("public key is not strict DER");
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidPublicKeyException("public key is not a valid SubjectPublicKeyInfo");
        }
        AlgorithmIdentifier alg = spki.getAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())
                || !(alg.getParameters() instanceof ASN1ObjectIdentifier)
                || !SECObjectIdentifiers.secp256r1.equals(alg.getParameters())) {
            throw new InvalidPublicKeyException("public key is not an EC key on the named curve P-256");
        }
        if (spki.getPublicKeyData().getPadBits() != 0) {
            throw new InvalidPublicKeyException("public key bit string has padding bits");
        }
        return decodePoint(spki.getPublicKeyData().getBytes());
    }

    /** @return the 65-byte uncompressed encoding of a P-256 public key. */
    public static byte[] encodePoint(PublicKey key) {
        if (key instanceof org.bouncycastle.jce.interfaces.ECPublicKey) {
            // BouncyCastle keys hold the point itself: no detour through java.security.spec.ECPoint.
            byte[] out = ((org.bouncycastle.jce.interfaces.ECPublicKey) key).getQ().getEncoded(false);
            if (out.length == POINT_LEN) {
                return out;
            }
        }
        ECPublicKey ec = (ECPublicKey) key;
        byte[] out = new byte[POINT_LEN];
        out[0] = 0x04;
        putFixed(ec.getW().getAffineX(), out, 1);
        putFixed(ec.getW().getAffineY(), out, 33);
        return out;
    }

    /** @return the DER SubjectPublicKeyInfo of a P-256 public key (named-curve form). */
    public static byte[] encodeSpki(PublicKey key) {
        return spkiOfPoint(encodePoint(key));
    }

    /**
     * The DER SubjectPublicKeyInfo (id-ecPublicKey, named curve prime256v1, uncompressed point) of a
     * 65-byte point: for this one curve and encoding it is a fixed 26-byte header followed by the point.
     * The caller passes a point it has validated (or its own); the result is what {@link #decodeSpki}
     * accepts.
     * @throws IllegalArgumentException unless {@code point} is 65 bytes starting with 0x04
     */
    public static byte[] spkiOfPoint(byte[] point) {
        if (point == null || point.length != POINT_LEN || point[0] != 0x04) {
            throw new IllegalArgumentException("not a 65-byte uncompressed point");
        }
        byte[] out = Arrays.copyOf(SPKI_HEADER, SPKI_HEADER.length + POINT_LEN);
        System.arraycopy(point, 0, out, SPKI_HEADER.length, POINT_LEN);
        return out;
    }

    /**
     * Builds a private key from its scalar.
     * @throws IllegalArgumentException unless 1 &lt;= d &lt; n
     */
    public static ECPrivateKey privateKey(BigInteger d) {
        if (d.signum() <= 0 || d.compareTo(SPEC.getN()) >= 0) {
            throw new IllegalArgumentException("private scalar out of range");
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC", BC).generatePrivate(new ECPrivateKeySpec(d, SPEC));
        } catch (GeneralSecurityException e) {
            throw new AssertionError("EC key factory failed", e);
        }
    }

    /** @return the public key d*G belonging to a P-256 private key. */
    public static ECPublicKey publicKeyOf(PrivateKey privateKey) {
        BigInteger d = ((ECPrivateKey) privateKey).getS();
        ECPoint q = SPEC.getG().multiply(d).normalize();
        try {
            return decodePoint(q.getEncoded(false));
        } catch (InvalidPublicKeyException e) {
            throw new AssertionError("derived public key invalid", e);
        }
    }

    /**
     * ECDH with BouncyCastle. The peer key must come from {@link #decodePoint} or {@link #decodeSpki}.
     * @return the 32-byte x coordinate of the shared point; the caller zeroes it after use
     */
    public static byte[] ecdh(PrivateKey own, ECPublicKey peer) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH", BC);
            ka.init(own);
            ka.doPhase(peer, true);
            return ka.generateSecret();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("ECDH rejected a key", e);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("ECDH unavailable", e);
        }
    }

    /**
     * Signs SHA-256(parts...) with ECDSA, deterministically (RFC 6979 with HMAC-SHA256): the same key
     * and message always give the same signature, no randomness is needed, and a weak RNG cannot
     * leak the key through {@code k}. Returns raw r||s (64 bytes, low or high s as RFC 6979 gives).
     */
    public static byte[] sign(PrivateKey key, byte[]... parts) {
        return signDigest(((ECPrivateKey) key).getS(), sha256(parts));
    }

    /**
     * ECDSA P-256 over a SHA-256 digest, deterministic (RFC 6979, HMAC-SHA256 k), raw r||s:
     * {@link P256Curve#signDigest}.
     * @param d the private scalar, 1 &lt;= d &lt; n
     * @param digest the 32-byte SHA-256 of the message
     */
    public static byte[] signDigest(BigInteger d, byte[] digest) {
        return P256Curve.signDigest(d, digest);
    }

    private static byte[] sha256(byte[]... parts) {
        return P256Curve.sha256(parts);
    }

    /**
     * Verifies a raw r||s (P1363) ECDSA-SHA256 signature over the concatenation of parts.
     * @throws AuthenticationFailedException if the signature is not exactly 64 bytes or does not verify
     */
    public static void verify(ECPublicKey key, byte[] signature, byte[]... parts) throws AuthenticationFailedException {
        if (signature == null || signature.length != SIGNATURE_LEN) {
            throw new AuthenticationFailedException("signature verification failed");
        }
        verifyWith("SHA256withPLAIN-ECDSA", key, signature, parts);
    }

    /**
     * Verifies a DER-encoded ECDSA-SHA256 signature (BouncyCastle rejects non-DER encodings).
     * Not used by the protocol; kept for interoperability and the Wycheproof DER vectors.
     * @throws AuthenticationFailedException if it does not verify or is not DER
     */
    public static void verifyDer(ECPublicKey key, byte[] derSignature, byte[]... parts) throws AuthenticationFailedException {
        verifyWith("SHA256withECDSA", key, derSignature, parts);
    }

    private static void verifyWith(String alg, ECPublicKey key, byte[] sig, byte[]... parts) throws AuthenticationFailedException {
        boolean ok;
        try {
            Signature s = Signature.getInstance(alg, BC);
            s.initVerify(key);
            for (byte[] p : parts) {
                s.update(p);
            }
            ok = s.verify(sig);
        } catch (SignatureException | InvalidKeyException e) {
            ok = false;
        } catch (GeneralSecurityException e) {
            throw new AssertionError("ECDSA unavailable", e);
        }
        if (!ok) {
            throw new AuthenticationFailedException("signature verification failed");
        }
    }

    private static void putFixed(BigInteger v, byte[] out, int off) {
        byte[] b = v.toByteArray();
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, off + 32 - len, len);
    }
}
