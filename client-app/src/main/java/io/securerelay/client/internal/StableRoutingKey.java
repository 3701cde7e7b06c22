package io.securerelay.client.internal;

import io.securerelay.crypto.SecretBytes;
import io.securerelay.keystore.StorageSecret;
import io.securerelay.protocol.relay.RoutingKey;
import java.util.Arrays;

/**
 * The routing key a client keeps across runs, so that its session ID stays the same: a customer
 * saves the bank's ID once, and the bank desk knows a customer by the session ID it calls from
 * (a different identity key from a known session ID is a changed key, not a new customer).
 * Derived from the storage secret ({@code HKDF(storage secret, "routing-key/v1/" + role)}), so
 * nothing new is written to disk and the key is as secret as the storage secret: whoever holds it
 * can take over the session ID at the relay (never read any message: that needs the identity key).
 */
public final class StableRoutingKey {

    private StableRoutingKey() {
    }

    /** The routing key of {@code role} under {@code storage}: the same on every call. */
    public static RoutingKey of(StorageSecret storage, String role) {
        for (int attempt = 0; ; attempt++) {
            // A 32-byte value is outside [1, n-1] with probability about 2^-32: derive again then.
            SecretBytes k = storage.deriveKey("routing-key/v1/" + role + (attempt == 0 ? "" : "/" + attempt));
            byte[] scalar = k.toByteArray();
            try {
                return RoutingKey.fromPrivateScalar(scalar);
            } catch (IllegalArgumentException outOfRange) {
                // next attempt
            } finally {
                Arrays.fill(scalar, (byte) 0);
                k.destroy();
            }
        }
    }
}
