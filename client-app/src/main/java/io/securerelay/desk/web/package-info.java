/**
 * The bank desk over HTTP: the back office's REST API ({@code /api/v1}, OpenAPI at {@code /api/openapi.json})
 * and the agents' web GUI ({@code /desk/}), both on one Jersey server over a {@link io.securerelay.desk.Desk}.
 * Every listener authenticates; plain HTTP only on loopback (docs/DESK-API.md).
 */
package io.securerelay.desk.web;
