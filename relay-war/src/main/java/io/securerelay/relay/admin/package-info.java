/**
 * The relay's admin monitoring console at {@code /admin}: a login (credentials from MicroProfile
 * Config), a JSON API of live figures and the static page that charts them. Never shows payloads.
 */
package io.securerelay.relay.admin;
