package io.securerelay.keystore;

import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * A random 32-byte secret for protecting one party's own data at rest (the client's outbox), kept
 * in {@code <role>_storage_secret.json} beside the identity key file and under the same password.
 * It is the input of storage keys so that the identity signing key has one purpose only: signing.
 * Immutable apart from {@link #destroy()}; {@link #toString()} shows nothing secret.
 */
public final class StorageSecret implements Destroyable {
    /** Length of the secret in bytes. */
    public static final int LENGTH = 32;
    private static final byte[] SALT = "secure-relay/storage-key/v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretBytes secret;

    private StorageSecret(SecretBytes secret) {
        this.secret = secret;
    }

    /** @param secret 32 bytes (copied; the caller may wipe its array) */
    static StorageSecret of(byte[] secret) {
        if (secret.length != LENGTH) {
            throw new IllegalArgumentException("a storage secret has " + LENGTH + " bytes");
        }
        return new StorageSecret(SecretBytes.copyOf(secret));
    }

    /** A secret for tests and ephemeral use, never stored: {@code LENGTH} bytes from {@code random}. */
    public static StorageSecret random(java.security.SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        try {
            return of(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /**
     * A 256-bit key for one purpose, {@code HKDF-SHA256(salt = "secure-relay/storage-key/v1",
     * IKM = secret, info = purpose)}: distinct purposes give independent keys.
     * @param purpose e.g. {@code "outbox/" + role}
     */
    public SecretBytes deriveKey(String purpose) {
        byte[] s = secret.toByteArray();
        try {
            return SecretBytes.wrap(Hkdf.derive(SALT, s, purpose.getBytes(StandardCharsets.UTF_8), 32));
        } finally {
            Arrays.fill(s, (byte) 0);
        }
    }

    /** For the secret file codec only: a copy the caller wipes. */
    byte[] bytes() {
        return secret.toByteArray();
    }

    @Override
    public void destroy() {
        secret.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return secret.isDestroyed();
    }

    @Override
    public String toString() {
        return "StorageSecret[" + LENGTH + " bytes]";
    }
}
