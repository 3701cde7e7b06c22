/**
 * Key and trust storage on disk: the identity key file (optionally password-protected), the
 * trust-on-first-use peer key files, the storage secret for data at rest, atomic owner-only writes,
 * and the CDI bean that ties them to a key directory. The only package of crypto-ejb that does file I/O.
 */
package io.securerelay.keystore;
