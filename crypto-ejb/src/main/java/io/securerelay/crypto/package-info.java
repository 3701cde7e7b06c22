/**
 * Primitive wrappers: P-256 keys, ECDSA and ECDH from BouncyCastle, AES-256-GCM, HMAC and HKDF from the JDK.
 * Small, hard-to-misuse classes that check every length and validate every peer-supplied key.
 */
package io.securerelay.crypto;
