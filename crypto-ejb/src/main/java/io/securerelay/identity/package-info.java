/**
 * Long-term identity keys on disk (optionally password-protected), trust-on-first-use peer keys,
 * fingerprints and safety numbers, plus the CDI bean that ties them to a key directory.
 */
package io.securerelay.identity;
