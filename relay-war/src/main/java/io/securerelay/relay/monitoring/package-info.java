/**
 * The relay's figures in Payara Server's own monitoring (admin console, {@code asadmin get -m},
 * the admin REST interface {@code /monitoring/…}), beside its MicroProfile Metrics.
 */
package io.securerelay.relay.monitoring;
