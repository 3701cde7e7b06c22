/**
 * The relay: a stateless router of opaque binary frames between WebSocket connections, keyed by
 * self-certifying session ID. One job per sub-package: {@code endpoint} (the WebSocket edge and its
 * timers), {@code routing} (the routing table and each connection's state), {@code limits}
 * (rates, connection caps, keep-alive), {@code config}, {@code monitoring} (metrics, health,
 * Payara's monitoring), {@code cluster}, {@code admin} (the console), {@code tyrus} (public-API
 * adapters of Tyrus' servlet upgrade) and {@code payara6} (the only reaches into container privates).
 */
package io.securerelay.relay;
