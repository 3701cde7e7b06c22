package io.securerelay.identity;

import io.securerelay.crypto.P256;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;

/**
 * A long-term ECDSA P-256 identity: private key plus its validated public key. Immutable; the
 * private key never leaves except to sign (and, encoded, to the key file codec);
 * {@link #toString()} shows only the fingerprint. One key, one purpose: it signs and is the input
 * of no other key (storage keys come from {@code io.securerelay.keystore.StorageSecret}).
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
