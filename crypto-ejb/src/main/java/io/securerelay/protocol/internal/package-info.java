/**
 * Not public API: the wire codec, key schedule, replay window and padding used by the protocol package.
 * May change without notice; the byte layout is specified in docs/PROTOCOL-e2e.draft.md.
 */
package io.securerelay.protocol.internal;
