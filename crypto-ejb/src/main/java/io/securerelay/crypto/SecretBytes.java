package io.securerelay.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Immutable holder of secret key bytes: copies on the way in and out, compares in constant time,
 * never prints its content. The only mutation is {@link #destroy()}, which zeroes the bytes so
 * that a retired key (old ratchet step, handshake secret) does not linger in memory; any use
 * after that is a programming error ({@link IllegalStateException}).
 * <p>Best effort: {@link #destroy()} wipes this holder's bytes only. Copies handed out by
 * {@link #toByteArray()} are the caller's to wipe, and copies inside JCA objects built from it (a
 * {@code SecretKeySpec}, a cipher's key schedule, an HMAC's padded key) stay until collected.
 */
public final class SecretBytes implements Destroyable {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] owned) {
        this.bytes = owned;
    }

    /** @return a holder of a copy of {@code bytes}; the caller may wipe its array afterwards. */
    public static SecretBytes copyOf(byte[] bytes) {
        return new SecretBytes(bytes.clone());
    }

    /** Takes ownership of {@code bytes} without copying (for freshly derived arrays only). */
    public static SecretBytes wrap(byte[] freshlyDerived) {
        return new SecretBytes(freshlyDerived);
    }

    /** @return a copy of the secret; the caller should zero it when done. */
    public byte[] toByteArray() {
        checkAlive();
        return bytes.clone();
    }

    /** @return the length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** Constant-time comparison of the secret with {@code other}. */
    public boolean equalsConstantTime(byte[] other) {
        checkAlive();
        return MessageDigest.isEqual(bytes, other);
    }

    /** Package-private access without copy, for wrappers in this package that wipe nothing. */
    byte[] unsafeView() {
        checkAlive();
        return bytes;
    }

    @Override
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException("secret was destroyed");
        }
    }

    @Override
    public String toString() {
        return "SecretBytes[" + bytes.length + " bytes]";
    }
}
