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

    public UntrustedIdentityException(String peerRole, String storedFingerprint, String presentedFingerprint) {
        super("identity key of '" + peerRole + "' changed: stored fingerprint [" + storedFingerprint
                + "], presented fingerprint [" + presentedFingerprint
                + "]; refusing (re-trust explicitly only after checking the safety number)");
        this.peerRole = peerRole;
        this.storedFingerprint = storedFingerprint;
        this.presentedFingerprint = presentedFingerprint;
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
