/**
 * The relay's admin monitoring console at {@code /admin}: a login (credentials from MicroProfile
 * Config, throttled per address), a JSON API of live figures and the static page that charts them,
 * and the browser security of the WAR's whole HTTP surface (headers, cookie, CSRF). Never shows payloads.
 */
package io.securerelay.relay.admin;
