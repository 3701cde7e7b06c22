package io.securerelay.protocol.relay;

import io.securerelay.crypto.ec.InvalidPointException;
import io.securerelay.crypto.ec.P256Curve;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
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
 * <p>EC arithmetic and the point validation are {@link P256Curve}'s (BouncyCastle's lightweight API,
 * without registering any JCA provider in the server's JVM). Stateless and thread-safe.
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
        ECPoint point;
        try {
            point = P256Curve.decodeValidPoint(publicKey);
        } catch (InvalidPointException e) {
            throw new InvalidRegistrationException();
        }
        if (!P256Curve.verifyDigest(point, P256Curve.sha256(signedBytes(nonce, publicKey)), register.signature())) {
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
        return SessionId.of(java.util.Arrays.copyOf(P256Curve.sha256(publicKey), SessionId.LENGTH));
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

    private static void requireNonce(byte[] nonce) {
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a challenge nonce has " + NONCE_LENGTH + " bytes");
        }
    }
}
