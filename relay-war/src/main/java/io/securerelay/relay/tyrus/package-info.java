/**
 * The relay's adapters to Tyrus' servlet integration, through its public API only: the frame-size
 * limit that acts at a frame's header, before Tyrus reads the frame.
 */
package io.securerelay.relay.tyrus;
