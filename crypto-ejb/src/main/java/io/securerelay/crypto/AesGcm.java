package io.securerelay.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a 96-bit nonce and a 128-bit tag, from the JDK provider (AES-NI).
 * <p>Only that one parameter set exists: {@link #create} refuses any key that is not 32 bytes and
 * {@link #seal}/{@link #open} refuse any nonce that is not 12 bytes. The caller guarantees that a
 * nonce is never reused under one key (the protocol derives it from a strictly increasing counter).
 * Instances are immutable and thread-safe (a {@link Cipher} per call); keep one per key, not one
 * per message ({@code SecureSession} keeps one per key epoch).
 * <p>Wiping is best effort: the key lives on in a {@link SecretKeySpec} (which cannot be destroyed
 * on JDK 17) and in the JCA provider's expanded key schedule until the garbage collector reclaims
 * them; destroying the {@link SecretBytes} a key came from wipes only that copy.
 */
public final class AesGcm {
    public static final int KEY_LEN = 32;
    public static final int NONCE_LEN = 12;
    public static final int TAG_LEN = 16;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;

    private AesGcm(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * @param key 32 bytes (copied)
     * @throws IllegalArgumentException for any other length
     */
    public static AesGcm create(byte[] key) {
        if (key == null || key.length != KEY_LEN) {
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key");
        }
        return new AesGcm(key);
    }

    /** @param key a 32-byte secret */
    public static AesGcm create(SecretBytes key) {
        byte[] k = key.toByteArray();
        try {
            return create(k);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** @return ciphertext || 16-byte tag */
    public byte[] seal(byte[] nonce, byte[] plaintext, byte[] aad) {
        checkNonce(nonce);
        try {
            Cipher c = Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LEN * 8, nonce));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("AES-GCM encryption failed", e);
        }
    }

    /**
     * @param ciphertextAndTag ciphertext || 16-byte tag
     * @return the plaintext
     * @throws AuthenticationFailedException if the tag does not verify (or the input is shorter than a tag)
     */
    public byte[] open(byte[] nonce, byte[] ciphertextAndTag, byte[] aad) throws AuthenticationFailedException {
        checkNonce(nonce);
        if (ciphertextAndTag == null || ciphertextAndTag.length < TAG_LEN) {
            throw new AuthenticationFailedException("AEAD decryption failed");
        }
        try {
            Cipher c = Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LEN * 8, nonce));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(ciphertextAndTag);
        } catch (AEADBadTagException e) {
            throw new AuthenticationFailedException("AEAD decryption failed");
        } catch (GeneralSecurityException e) {
            throw new AssertionError("AES-GCM decryption failed unexpectedly", e);
        }
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce == null || nonce.length != NONCE_LEN) {
            throw new IllegalArgumentException("AES-GCM needs a 12-byte nonce");
        }
    }

    @Override
    public String toString() {
        return "AesGcm[AES-256-GCM]";
    }
}
