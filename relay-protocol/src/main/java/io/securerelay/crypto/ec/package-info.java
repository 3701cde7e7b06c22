/**
 * The one implementation of P-256 point validation and raw ECDSA, on BouncyCastle's lightweight API
 * (bcprov, no JCA provider registered). It lives in relay-protocol so that the relay needs nothing
 * more; crypto-ejb's {@code io.securerelay.crypto.P256} builds its JCA keys on it.
 */
package io.securerelay.crypto.ec;
