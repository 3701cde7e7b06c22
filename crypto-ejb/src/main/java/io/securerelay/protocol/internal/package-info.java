/**
 * Not public API: the wire codec, key schedule, replay window and padding used by the protocol package.
 * May change without notice; the byte layout is specified in docs/PROTOCOL.md (Part 2).
 */
package io.securerelay.protocol.internal;
