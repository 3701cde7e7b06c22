/**
 * What an operator sees: MicroProfile Metrics (counters updated on the hot path without locks),
 * MicroProfile Health (liveness, readiness), and the relay's figures in Payara Server's own
 * monitoring (admin console, {@code asadmin get -m}, the admin REST interface {@code /monitoring/…}).
 */
package io.securerelay.relay.monitoring;
