package io.securerelay.protocol.relay;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The relay's check of a REGISTER frame: the sender holds the private key of the routing public
 * key it names, and signed this connection's challenge with it. The session ID is derived from the
 * key ({@link #sessionIdOf}), so it cannot be claimed by anyone else.
 *
 * <p>What is signed (ECDSA P-256 with SHA-256, raw {@code r || s}):
 * <pre>
 *   "secure-relay/register/v1" (24 ASCII bytes) || nonce[32] || routing_public_key[65]
 * </pre>
 *
 * <p>EC arithmetic is BouncyCastle's lightweight API (the same code as its provider, without
 * registering any JCA provider in the server's JVM). Stateless and thread-safe.
 */
public final class RegistrationProof {

    /** Length of a routing public key: an uncompressed SEC1 P-256 point {@code 0x04 || X || Y}. */
    public static final int PUBLIC_KEY_LENGTH = 65;
    /** Length of a registration signature: {@code r || s}, 32 big-endian bytes each. */
    public static final int SIGNATURE_LENGTH = 64;
    /** Length of the challenge nonce. */
    public static final int NONCE_LENGTH = 32;
    /** Domain separation: what the signature is for, and the version of this proof. */
    public static final String CONTEXT = "secure-relay/register/v1";

    private static final byte[] CONTEXT_BYTES = CONTEXT.getBytes(StandardCharsets.US_ASCII);
    private static final int SCALAR_LENGTH = 32;

    static final ECDomainParameters P256;

    static {
        X9ECParameters x9 = CustomNamedCurves.getByName("secp256r1");
        P256 = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    }

    private RegistrationProof() {
    }

    /**
     * Checks {@code register} against the {@code nonce} the relay sent on this connection.
     *
     * @return the session ID the connection now owns: {@link #sessionIdOf} its public key
     * @throws InvalidRegistrationException if the key is not a valid P-256 point or the signature
     *                                      does not verify (one exception for every cause)
     */
    public static SessionId verify(RelayFrame.Register register, byte[] nonce) throws InvalidRegistrationException {
        Objects.requireNonNull(register, "register");
        requireNonce(nonce);
        byte[] publicKey = register.publicKey();
        ECPoint point = decodePoint(publicKey);
        byte[] signature = register.signature();
        BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, SCALAR_LENGTH));
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, SCALAR_LENGTH, SIGNATURE_LENGTH));
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(point, P256));
        // verifySignature refuses r and s outside [1, n-1] itself.
        if (!verifier.verifySignature(sha256(signedBytes(nonce, publicKey)), r, s)) {
            throw new InvalidRegistrationException();
        }
        return sessionIdOf(publicKey);
    }

    /**
     * The session ID of a routing public key: the first 16 bytes of SHA-256 of its 65-byte
     * encoding. Only the length is checked here; {@link #verify} checks the point.
     */
    public static SessionId sessionIdOf(byte[] publicKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.length != PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("a routing public key has " + PUBLIC_KEY_LENGTH + " bytes");
        }
        return SessionId.of(java.util.Arrays.copyOf(sha256(publicKey), SessionId.LENGTH));
    }

    /** The exact bytes a REGISTER signature covers: context, nonce, public key. */
    public static byte[] signedBytes(byte[] nonce, byte[] publicKey) {
        requireNonce(nonce);
        if (publicKey.length != PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("a routing public key has " + PUBLIC_KEY_LENGTH + " bytes");
        }
        byte[] out = new byte[CONTEXT_BYTES.length + NONCE_LENGTH + PUBLIC_KEY_LENGTH];
        System.arraycopy(CONTEXT_BYTES, 0, out, 0, CONTEXT_BYTES.length);
        System.arraycopy(nonce, 0, out, CONTEXT_BYTES.length, NONCE_LENGTH);
        System.arraycopy(publicKey, 0, out, CONTEXT_BYTES.length + NONCE_LENGTH, PUBLIC_KEY_LENGTH);
        return out;
    }

    /** Decodes and validates an uncompressed point: prefix 04, coordinates below p, on the curve, not infinity. */
    static ECPoint decodePoint(byte[] encoded) throws InvalidRegistrationException {
        if (encoded.length != PUBLIC_KEY_LENGTH || encoded[0] != 0x04) {
            throw new InvalidRegistrationException();
        }
        ECPoint point;
        try {
            // Range of X and Y and the curve equation are checked by decodePoint.
            point = P256.getCurve().decodePoint(encoded);
        } catch (IllegalArgumentException e) {
            throw new InvalidRegistrationException();
        }
        if (point.isInfinity() || !point.isValid()) {
            throw new InvalidRegistrationException();
        }
        return point;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is mandatory in every JDK", e);
        }
    }

    private static void requireNonce(byte[] nonce) {
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a challenge nonce has " + NONCE_LENGTH + " bytes");
        }
    }
}
