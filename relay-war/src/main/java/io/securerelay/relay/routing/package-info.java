/**
 * Routing: the table of registered session IDs (the relay's only shared state), each connection's
 * registration state machine, and the interface to the other instances of a cluster. No container
 * API here: a connection is a {@link io.securerelay.relay.routing.PeerConnection}.
 */
package io.securerelay.relay.routing;
