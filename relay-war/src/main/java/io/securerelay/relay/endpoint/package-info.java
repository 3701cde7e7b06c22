/**
 * The relay's WebSocket edge: the {@code @ServerEndpoint} (a thin adapter from Tyrus' callbacks to
 * {@link io.securerelay.relay.routing.Router}), its configurator (Origin check, endpoint instances),
 * the send side of a connection with its backpressure bound, and the one timer thread.
 */
package io.securerelay.relay.endpoint;
