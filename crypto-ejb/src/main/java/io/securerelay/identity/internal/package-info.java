/**
 * Not public API: atomic owner-only file writes and the JSON/PEM codec of key files.
 * May change without notice.
 */
package io.securerelay.identity.internal;
