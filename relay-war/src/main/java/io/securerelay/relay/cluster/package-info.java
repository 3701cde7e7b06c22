/**
 * Cluster mode: several relay instances route as one, on the Hazelcast data grid that Payara Micro
 * already runs. A distributed directory maps session IDs to instances; frames for another instance
 * cross over per-instance topics and are never stored. Off by default ({@code relay.cluster.enabled}).
 */
package io.securerelay.relay.cluster;
