/**
 * The relay's limits as pure policy objects: token buckets per connection, the cap of connections
 * per remote address, and the keep-alive's ping-or-close decision.
 */
package io.securerelay.relay.limits;
