/**
 * End-to-end tests on real processes: the relay started by the launcher as a user starts it, and
 * clients in other processes and languages. Every wait has a timeout.
 */
package io.securerelay.e2e;
