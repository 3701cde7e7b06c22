/**
 * The relay wire format: the frames a client and the relay exchange (challenge, register, send,
 * deliver, error), versioned and validated in one codec, and the self-certifying session IDs
 * (routing keys and the REGISTER proof). The payload is opaque here: end-to-end sealed bytes.
 */
package io.securerelay.protocol.relay;
