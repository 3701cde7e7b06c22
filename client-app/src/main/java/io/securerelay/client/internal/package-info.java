/**
 * The client's machinery: the relay link (Tyrus, TLS, reconnect), the conversation engine on an injected
 * event loop (handshakes, delivery, cover traffic, batch-run lifecycle), the encrypted outbox, and the console.
 */
package io.securerelay.client.internal;
