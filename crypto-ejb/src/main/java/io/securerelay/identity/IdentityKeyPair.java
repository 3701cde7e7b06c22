package io.securerelay.identity;

import io.securerelay.crypto.P256;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;

/**
 * A long-term ECDSA P-256 identity: private key plus its validated public key. Immutable; the
 * private key never leaves except to sign; {@link #toString()} shows only the fingerprint.
 */
public final class IdentityKeyPair {
    private final PrivateKey privateKey;
    private final IdentityPublicKey publicKey;

    private IdentityKeyPair(PrivateKey privateKey, IdentityPublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Generates a fresh identity (BouncyCastle, from the given randomness). */
    public static IdentityKeyPair generate(SecureRandom random) {
        KeyPair kp = P256.generateKeyPair(random);
        return new IdentityKeyPair(kp.getPrivate(), IdentityPublicKey.of((ECPublicKey) kp.getPublic()));
    }

    /**
     * Pairs a private key with the public key derived from it (so they always match).
     * @throws IllegalArgumentException if the key is not a P-256 private key
     */
    public static IdentityKeyPair fromPrivateKey(PrivateKey privateKey) {
        if (!(privateKey instanceof java.security.interfaces.ECPrivateKey)) {
            throw new IllegalArgumentException("not an EC private key");
        }
        return new IdentityKeyPair(privateKey, IdentityPublicKey.of(P256.publicKeyOf(privateKey)));
    }

    /** @return the public half. */
    public IdentityPublicKey publicKey() {
        return publicKey;
    }

    /**
     * Signs SHA-256 of the concatenated parts, deterministically (RFC 6979): no randomness, the same
     * input gives the same signature. Returns raw r||s (64 bytes).
     */
    public byte[] sign(byte[]... parts) {
        return P256.sign(privateKey, parts);
    }

    /**
     * A 256-bit key for protecting this party's own files at rest (e.g. the client's outbox),
     * derived with HKDF-SHA256 from the private scalar and {@code purpose}: whoever can read the
     * identity key can read those files, nobody else. Distinct purposes give independent keys.
     */
    public io.securerelay.crypto.SecretBytes deriveLocalKey(String purpose) {
        byte[] scalar = scalarBytes();
        try {
            return io.securerelay.crypto.SecretBytes.wrap(io.securerelay.crypto.Hkdf.derive(
                    "secure-relay/local-key/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), scalar,
                    purpose.getBytes(java.nio.charset.StandardCharsets.UTF_8), 32));
        } finally {
            java.util.Arrays.fill(scalar, (byte) 0);
        }
    }

    /** The private scalar d as 32 big-endian bytes; never leaves this class (the caller wipes it). */
    private byte[] scalarBytes() {
        byte[] d = ((java.security.interfaces.ECPrivateKey) privateKey).getS().toByteArray();
        byte[] out = new byte[32];
        int skip = Math.max(0, d.length - 32);
        System.arraycopy(d, skip, out, 32 - (d.length - skip), d.length - skip);
        java.util.Arrays.fill(d, (byte) 0);
        return out;
    }

    /**
     * The unencrypted PKCS#8 DER of the private key, for the key-file codec
     * ({@code io.securerelay.keystore.IdentityKeyFiles}) only, which encrypts it or writes it
     * owner-only and wipes the array. An ArchUnit rule (ModuleRulesTest) refuses every other caller.
     */
    public byte[] pkcs8ForKeyFile() {
        return privateKey.getEncoded();
    }

    @Override
    public String toString() {
        return "IdentityKeyPair[" + publicKey.fingerprint() + "]";
    }
}
