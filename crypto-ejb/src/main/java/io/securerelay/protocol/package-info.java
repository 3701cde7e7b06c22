/**
 * The end-to-end protocol as a pure state machine: the SIGMA-style {@link io.securerelay.protocol.Handshake},
 * the resulting {@link io.securerelay.protocol.SecureSession} (sealed messages, replay window, rekeying).
 */
package io.securerelay.protocol;
