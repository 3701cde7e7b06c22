/**
 * The relay's settings: the documented MicroProfile Config keys and the validated bean that reads
 * them once at start.
 */
package io.securerelay.relay.config;
