package io.securerelay.protocol.relay;

import io.securerelay.crypto.ec.P256Curve;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A client's routing key: the P-256 key pair whose public key names its session ID
 * ({@link #sessionId()}, the first 16 bytes of SHA-256 of the public key) and whose private key
 * proves, on each connection, that the ID is the client's ({@link #register(byte[])}).
 *
 * <p>Only routing: this key is not the client's identity key and protects no message; the
 * end-to-end protocol (part 2) has its own keys. Keep one routing key for as long as the same
 * session ID should reach the client (across reconnects), and a new one for a new ID.
 *
 * <p>Immutable and thread-safe. The private key never leaves this object: there is no accessor,
 * and {@link #toString()} shows the session ID only. Signatures are deterministic (RFC 6979,
 * HMAC-SHA256), so signing needs no randomness and cannot leak the key through a weak RNG.
 */
public final class RoutingKey {

    private final BigInteger privateScalar;
    private final byte[] publicKey;
    private final SessionId sessionId;

    private RoutingKey(BigInteger privateScalar) {
        this.privateScalar = privateScalar;
        this.publicKey = P256Curve.publicPointOf(privateScalar);
        this.sessionId = RegistrationProof.sessionIdOf(publicKey);
    }

    /** A new random routing key: a scalar drawn uniformly from [1, n-1] by rejection sampling. */
    public static RoutingKey generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        BigInteger n = P256Curve.order();
        byte[] candidate = new byte[32];
        try {
            while (true) {
                random.nextBytes(candidate);
                BigInteger d = new BigInteger(1, candidate);
                if (d.signum() > 0 && d.compareTo(n) < 0) {
                    return new RoutingKey(d);
                }
            }
        } finally {
            Arrays.fill(candidate, (byte) 0);
        }
    }

    /**
     * The routing key with a given private scalar (32 big-endian bytes, copied): for keys kept by
     * the client between runs and for known-answer tests. Never use a fixed scalar in production.
     *
     * @throws IllegalArgumentException unless 32 bytes encoding a value in [1, n-1]
     */
    public static RoutingKey fromPrivateScalar(byte[] scalar) {
        Objects.requireNonNull(scalar, "scalar");
        if (scalar.length != 32) {
            throw new IllegalArgumentException("a P-256 private scalar has 32 bytes");
        }
        BigInteger d = new BigInteger(1, scalar);
        if (d.signum() <= 0 || d.compareTo(P256Curve.order()) >= 0) {
            throw new IllegalArgumentException("private scalar out of range [1, n-1]");
        }
        return new RoutingKey(d);
    }

    /** The session ID of {@code publicKey}: what {@link #sessionId()} is for that key. */
    public static SessionId sessionIdOf(byte[] publicKey) {
        return RegistrationProof.sessionIdOf(publicKey);
    }

    /** This key's session ID: the address peers send to. */
    public SessionId sessionId() {
        return sessionId;
    }

    /**
     * The private scalar as 32 big-endian bytes (a copy the caller wipes): for the file that keeps
     * it between runs ({@code io.securerelay.keystore.RoutingKeyFiles}), nothing else.
     */
    public byte[] privateScalar() {
        byte[] raw = privateScalar.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        java.util.Arrays.fill(raw, (byte) 0);
        return out;
    }

    /** The 65-byte uncompressed public key {@code 0x04 || X || Y} (a copy). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * The REGISTER frame answering {@code challenge} (the nonce of the CHALLENGE this connection
     * received): the public key and a signature over
     * {@link RegistrationProof#signedBytes(byte[], byte[])}.
     *
     * @throws IllegalArgumentException if the challenge is not {@value RegistrationProof#NONCE_LENGTH} bytes
     */
    public RelayFrame.Register register(byte[] challenge) {
        return new RelayFrame.Register(publicKey, sign(RegistrationProof.signedBytes(challenge, publicKey)));
    }

    /** ECDSA P-256 SHA-256 of {@code message}, deterministic (RFC 6979), raw {@code r || s}. */
    byte[] sign(byte[] message) {
        return P256Curve.signDigest(privateScalar, P256Curve.sha256(message));
    }

    /** Shows the session ID only, never key material. */
    @Override
    public String toString() {
        return "RoutingKey[" + sessionId.toHex() + "]";
    }
}
