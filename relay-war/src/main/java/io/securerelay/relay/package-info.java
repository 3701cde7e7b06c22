/**
 * The relay: a stateless router of opaque binary frames between WebSocket connections, keyed by
 * session ID. The endpoint is a thin adapter; routing lives in {@link io.securerelay.relay.Router}.
 */
package io.securerelay.relay;
