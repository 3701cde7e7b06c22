package io.securerelay.identity;

import java.util.Optional;

/**
 * Trust on first use for the identity key of one peer role. The handshake calls {@link #check}
 * before it completes (no side effect) and {@link #trust} once it has succeeded.
 * Implementations: {@code io.securerelay.keystore.FilePeerTrustStore} and {@link InMemoryPeerTrustStore} (tests).
 */
public interface PeerTrustStore {

    /** @return the peer role this store is for (for messages). */
    String peerRole();

    /**
     * @return the stored key, if any
     * @throws KeyFileException if the stored key cannot be read
     */
    Optional<IdentityPublicKey> stored() throws KeyFileException;

    /**
     * Checks a presented key without storing anything.
     * @return true if it equals the stored key, false if no key is stored yet
     * @throws UntrustedIdentityException if a different key is stored
     * @throws KeyFileException if the stored key cannot be read
     */
    default boolean check(IdentityPublicKey presented) throws UntrustedIdentityException, KeyFileException {
        Optional<IdentityPublicKey> s = stored();
        if (s.isEmpty()) {
            return false;
        }
        if (!s.get().equals(presented)) {
            throw new UntrustedIdentityException(peerRole(), s.get(), presented);
        }
        return true;
    }

    /**
     * Trusts the presented key if none is stored (storing it), accepts it if it equals the stored one.
     * @throws UntrustedIdentityException if a different key is stored (nothing is changed)
     * @throws KeyFileException if the store cannot be read or written
     */
    TrustResult trust(IdentityPublicKey presented) throws UntrustedIdentityException, KeyFileException;

    /**
     * Explicitly replaces the stored key (after the user compared the safety number out of band).
     * @throws KeyFileException if the store cannot be written
     */
    TrustResult retrust(IdentityPublicKey newKey) throws KeyFileException;
}
