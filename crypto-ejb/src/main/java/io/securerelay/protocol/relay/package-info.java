/**
 * The relay wire format: the frames a client and the relay exchange (register, send, deliver,
 * error), versioned and validated in one codec. The payload is opaque here: end-to-end sealed bytes.
 */
package io.securerelay.protocol.relay;
