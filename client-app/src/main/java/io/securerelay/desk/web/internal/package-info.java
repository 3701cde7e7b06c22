/**
 * The desk web server's parts: JAX-RS resources, authentication (bearer token, session cookie, CSRF check,
 * login throttle), RFC 9457 problem mapping, security headers and the SSE hub. Not API.
 */
package io.securerelay.desk.web.internal;
