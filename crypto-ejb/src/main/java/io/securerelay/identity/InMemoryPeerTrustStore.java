package io.securerelay.identity;

import java.util.Optional;

/** A {@link PeerTrustStore} in memory, for tests and ephemeral clients. Thread-safe. */
public final class InMemoryPeerTrustStore implements PeerTrustStore {
    private final String peerRole;
    private IdentityPublicKey stored;

    public InMemoryPeerTrustStore(String peerRole) {
        this.peerRole = peerRole;
    }

    @Override
    public String peerRole() {
        return peerRole;
    }

    @Override
    public synchronized Optional<IdentityPublicKey> stored() {
        return Optional.ofNullable(stored);
    }

    @Override
    public synchronized TrustResult trust(IdentityPublicKey presented) throws UntrustedIdentityException {
        if (stored == null) {
            stored = presented;
            return new TrustResult(true, presented.fingerprint(), presented);
        }
        if (!stored.equals(presented)) {
            throw new UntrustedIdentityException(peerRole, stored, presented);
        }
        return new TrustResult(false, presented.fingerprint(), presented);
    }

    @Override
    public synchronized TrustResult retrust(IdentityPublicKey newKey) {
        stored = newKey;
        return new TrustResult(true, newKey.fingerprint(), newKey);
    }
}
