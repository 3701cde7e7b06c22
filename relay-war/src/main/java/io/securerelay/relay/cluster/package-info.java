/**
 * Cluster mode: several relay instances route as one through Redis (Lettuce, TLS, one ACL user). A
 * directory of expiring keys maps session IDs to instances; frames for another instance cross over
 * its sharded pub/sub channel in batches and are never stored. Off by default ({@code relay.cluster.enabled}).
 */
package io.securerelay.relay.cluster;
