/**
 * Long-term identity keys, trust on first use (the {@link io.securerelay.identity.PeerTrustStore}
 * interface and an in-memory store), fingerprints and safety numbers. Pure: no file or network I/O;
 * the key and trust files are {@code io.securerelay.keystore}'s.
 */
package io.securerelay.identity;
