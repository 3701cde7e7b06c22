/**
 * The client's machinery: the relay link (Tyrus, TLS, reconnect), the conversation state machine
 * (handshake, sealed messages, acknowledgements), the encrypted outbox, and user I/O.
 */
package io.securerelay.client.internal;
