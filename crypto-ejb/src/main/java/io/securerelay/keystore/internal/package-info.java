/**
 * Not public API: the JSON and PEM codec of the key files. May change without notice.
 */
package io.securerelay.keystore.internal;
