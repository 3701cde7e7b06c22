package io.securerelay.relay.routing;

import io.securerelay.protocol.relay.SessionId;
import java.nio.ByteBuffer;

/**
 * What the {@link Router} asks of the relay cluster, when there is one (cluster mode,
 * {@code relay.cluster.enabled=true}; see {@code io.securerelay.relay.cluster}). Without a cluster
 * the router holds none and never calls anything here: single-instance routing pays nothing.
 *
 * <p>Implementations never keep a frame: a forwarded payload is handed to the transport and
 * forgotten. Thread-safe; called from the container's threads.
 */
public interface ClusterRouting {

    /**
     * The connection that proved the key of {@code id} now owns it on this instance: the cluster's
     * directory maps {@code id} to this instance, and an older owner on another instance is told to
     * close its connection (4001). Called only after the proof was verified and the local route
     * committed, before REGISTERED is sent.
     */
    void registered(SessionId id);

    /** The connection that owned {@code id} here is gone: the directory forgets it, if still ours. */
    void unregistered(SessionId id);

    /**
     * Forwards a SEND for {@code to}, which no connection of this instance holds, to the instance
     * that does.
     *
     * @return false if no live instance holds {@code to} (the router answers PEER_NOT_CONNECTED)
     */
    boolean forward(SessionId from, SessionId to, ByteBuffer payload);
}
