package io.securerelay.crypto.ec;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;

/**
 * NIST P-256 (secp256r1) on BouncyCastle's lightweight API: the project's only point validation and
 * its raw ECDSA (SHA-256 digests, {@code r || s} signatures, RFC 6979 deterministic nonces).
 *
 * <p>{@link #decodeValidPoint} accepts exactly a 65-byte uncompressed point {@code 0x04 || X || Y} with
 * both coordinates below p, on the curve and not the point at infinity. P-256 has cofactor 1, so such
 * a point lies in the prime-order group: invalid-curve and twist points are refused. Stateless and
 * thread-safe.
 */
public final class P256Curve {
    /** The curve's name (and the JCA name of its parameters). */
    public static final String NAME = "secp256r1";
    /** Uncompressed point: {@code 0x04 || x(32) || y(32)}. */
    public static final int POINT_LEN = 65;
    /** Raw {@code r || s} signature length. */
    public static final int SIGNATURE_LEN = 64;
    /** Length of a scalar (private key, r, s) as big-endian bytes. */
    public static final int SCALAR_LEN = 32;

    private static final ECDomainParameters DOMAIN;

    static {
        X9ECParameters x9 = CustomNamedCurves.getByName(NAME);
        DOMAIN = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
    }

    private P256Curve() {
    }

    /** @return the domain parameters (the custom, constant-time-field implementation of P-256). */
    public static ECDomainParameters domain() {
        return DOMAIN;
    }

    /** @return the group order n. */
    public static BigInteger order() {
        return DOMAIN.getN();
    }

    /**
     * Decodes and validates a 65-byte uncompressed point.
     * @return the point (on {@link #domain()}'s curve)
     * @throws InvalidPointException for anything that is not a valid point in that encoding
     */
    public static ECPoint decodeValidPoint(byte[] encoded) throws InvalidPointException {
        if (encoded == null || encoded.length != POINT_LEN || encoded[0] != 0x04) {
            throw new InvalidPointException("public key is not a 65-byte uncompressed P-256 point");
        }
        ECPoint p;
        try {
            p = DOMAIN.getCurve().decodePoint(encoded); // checks the range of X and Y and the curve equation
        } catch (IllegalArgumentException e) {
            throw new InvalidPointException("public key is not a point on P-256");
        }
        if (p.isInfinity() || !p.isValid()) {
            throw new InvalidPointException("public key is not a valid P-256 point");
        }
        return p;
    }

    /**
     * @return the 65-byte uncompressed encoding of {@code d * G}
     * @throws IllegalArgumentException unless 1 &lt;= d &lt; n
     */
    public static byte[] publicPointOf(BigInteger d) {
        checkScalar(d);
        return DOMAIN.getG().multiply(d).normalize().getEncoded(false);
    }

    /**
     * ECDSA over a SHA-256 digest with a deterministic nonce (RFC 6979, HMAC-SHA256): no randomness,
     * and a weak RNG cannot leak the key through {@code k}.
     * @param d the private scalar, 1 &lt;= d &lt; n
     * @param digest the 32-byte SHA-256 of the message
     * @return raw {@code r || s}, 64 bytes
     */
    public static byte[] signDigest(BigInteger d, byte[] digest) {
        checkScalar(d);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, DOMAIN));
        BigInteger[] rs = signer.generateSignature(digest);
        byte[] signature = new byte[SIGNATURE_LEN];
        putFixed(rs[0], signature, 0);
        putFixed(rs[1], signature, SCALAR_LEN);
        return signature;
    }

    /**
     * Verifies a raw {@code r || s} signature over a SHA-256 digest.
     * @param point a point from {@link #decodeValidPoint}
     * @return false for a signature that is not 64 bytes, has r or s outside [1, n-1], or does not verify
     */
    public static boolean verifyDigest(ECPoint point, byte[] digest, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LEN) {
            return false;
        }
        BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, SCALAR_LEN));
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, SCALAR_LEN, SIGNATURE_LEN));
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(point, DOMAIN));
        return verifier.verifySignature(digest, r, s); // refuses r and s outside [1, n-1] itself
    }

    /** @return SHA-256 of the concatenated parts. */
    public static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is mandatory in every JDK", e);
        }
    }

    private static void checkScalar(BigInteger d) {
        if (d == null || d.signum() <= 0 || d.compareTo(DOMAIN.getN()) >= 0) {
            throw new IllegalArgumentException("private scalar out of range [1, n-1]");
        }
    }

    private static void putFixed(BigInteger v, byte[] out, int off) {
        byte[] b = v.toByteArray();
        int len = Math.min(b.length, SCALAR_LEN);
        System.arraycopy(b, b.length - len, out, off + SCALAR_LEN - len, len);
    }
}
