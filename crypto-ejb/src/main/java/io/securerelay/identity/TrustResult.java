package io.securerelay.identity;

/**
 * Outcome of a successful trust decision for a peer identity key.
 * @param newlyTrusted true if the key was unknown and has just been stored (trust on first use)
 * @param fingerprint  the fingerprint of the trusted key
 * @param key          the trusted key
 */
public record TrustResult(boolean newlyTrusted, String fingerprint, IdentityPublicKey key) {
}
