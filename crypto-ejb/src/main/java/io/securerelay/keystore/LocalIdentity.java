package io.securerelay.keystore;

import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.identity.IdentityKeyPair;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * What {@link IdentityKeyFiles#loadOrCreateLocal} gives a client: its identity key pair (for signing
 * only) and its {@link StorageSecret} (for keys of data at rest), both from the key directory.
 */
public final class LocalIdentity {
    private static final byte[] LEGACY_SALT = "secure-relay/local-key/v1".getBytes(StandardCharsets.US_ASCII);

    private final IdentityKeyPair identity;
    private final StorageSecret storage;
    private final boolean identityPredatesStorageSecret;

    LocalIdentity(IdentityKeyPair identity, StorageSecret storage, boolean identityPredatesStorageSecret) {
        this.identity = identity;
        this.storage = storage;
        this.identityPredatesStorageSecret = identityPredatesStorageSecret;
    }

    /** @return the identity key pair: it signs, and is the input of no other key. */
    public IdentityKeyPair identity() {
        return identity;
    }

    /** @return the storage secret: the input of every storage key. */
    public StorageSecret storage() {
        return storage;
    }

    /**
     * The key that versions before the storage secret (issue 18) derived for {@code purpose} from the
     * identity's private scalar, {@code HKDF-SHA256(salt = "secure-relay/local-key/v1", IKM = d,
     * info = purpose)}: only to read data sealed before this installation had a storage secret, then
     * to seal it again under {@link StorageSecret#deriveKey}. Never seal with it.
     * @return empty when the identity was created together with its storage secret (nothing can
     *         have been sealed under the old derivation)
     */
    public Optional<SecretBytes> legacyKeyToReadOldData(String purpose) {
        if (!identityPredatesStorageSecret) {
            return Optional.empty();
        }
        byte[] pkcs8 = identity.pkcs8ForKeyFile();
        byte[] scalar = new byte[32];
        try {
            BigInteger d = org.bouncycastle.asn1.sec.ECPrivateKey
                    .getInstance(PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey()).getKey();
            byte[] raw = d.toByteArray();
            int len = Math.min(raw.length, 32);
            System.arraycopy(raw, raw.length - len, scalar, 32 - len, len);
            Arrays.fill(raw, (byte) 0);
            return Optional.of(SecretBytes.wrap(Hkdf.derive(LEGACY_SALT, scalar,
                    purpose.getBytes(StandardCharsets.UTF_8), 32)));
        } catch (java.io.IOException e) {
            throw new AssertionError("the PKCS#8 encoding of our own key does not parse", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
            Arrays.fill(scalar, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "LocalIdentity[" + identity.publicKey().fingerprint() + "]";
    }
}
