/**
 * The relay's only reaches into private members of its container, for Payara 6 (Tyrus
 * 2.1.5.payara-p2, Grizzly 4.0.2.payara-p2): each switched on only for the component version it was
 * tested on, behind {@code relay.container-hooks}, with a gauge ({@link io.securerelay.relay.payara6.ContainerHooks}).
 */
package io.securerelay.relay.payara6;
