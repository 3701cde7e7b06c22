/**
 * The relay: a stateless router of opaque binary frames between WebSocket connections, keyed by
 * self-certifying session ID, with per-connection limits. The endpoint is a thin adapter; routing
 * lives in {@link io.securerelay.relay.Router}, settings in {@link io.securerelay.relay.RelaySettings}.
 */
package io.securerelay.relay;
