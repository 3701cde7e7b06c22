package io.securerelay.identity;

import io.securerelay.crypto.SecureRelayException;

/**
 * The peer presented an identity key different from the one stored for its role. Carries both
 * fingerprints; re-trusting is an explicit call ({@link PeerTrustStore#retrust}), never automatic.
 */
public final class UntrustedIdentityException extends SecureRelayException {
    private static final long serialVersionUID = 1L;
    private final String peerRole;
    private final String storedFingerprint;
    private final String presentedFingerprint;
    private final transient IdentityPublicKey presented;

    public UntrustedIdentityException(String peerRole, IdentityPublicKey stored, IdentityPublicKey presented) {
        this(peerRole, stored.fingerprint(), presented);
    }

    private UntrustedIdentityException(String peerRole, String storedFingerprint, IdentityPublicKey presented) {
        this(peerRole, storedFingerprint, presented.fingerprint(), presented);
    }

    private UntrustedIdentityException(String peerRole, String storedFingerprint, String presentedFingerprint,
            IdentityPublicKey presented) {
        super("identity key of '" + peerRole + "' changed: stored fingerprint [" + storedFingerprint
                + "], presented fingerprint [" + presentedFingerprint
                + "]; refusing (re-trust explicitly only after checking the safety number)");
        this.peerRole = peerRole;
        this.storedFingerprint = storedFingerprint;
        this.presentedFingerprint = presentedFingerprint;
        this.presented = presented;
    }

    /**
     * The key the peer presented, for an explicit {@link PeerTrustStore#retrust} after the user
     * compared safety numbers out of band; {@code null} after deserialization.
     */
    public IdentityPublicKey presentedKey() {
        return presented;
    }

    public String peerRole() {
        return peerRole;
    }

    public String storedFingerprint() {
        return storedFingerprint;
    }

    public String presentedFingerprint() {
        return presentedFingerprint;
    }
}
