package io.securerelay.relay.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.securerelay.relay.config.RelayConfig;
import io.securerelay.relay.routing.Router;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * Cluster mode's life cycle and figures. At deployment it registers the cluster metrics (always,
 * at zero without a cluster) and, with {@link RelayConfig#CLUSTER_ENABLED}, joins the relay cluster
 * on Payara Micro's Hazelcast member (JNDI {@value #HAZELCAST_JNDI}) and hands the {@link Router}
 * its {@link HazelcastCluster}; at undeployment it leaves. Thread-safe.
 */
@ApplicationScoped
public class RelayCluster {

    /** Where Payara binds its Hazelcast instance (the default of {@code set-hazelcast-configuration}). */
    public static final String HAZELCAST_JNDI = "payara/Hazelcast";

    public static final String MEMBERS = "relay.cluster.members";
    public static final String DIRECTORY_ENTRIES = "relay.cluster.directory.entries";
    public static final String FRAMES_FORWARDED = "relay.cluster.frames.forwarded";
    public static final String FRAMES_RECEIVED = "relay.cluster.frames.received";
    public static final String FRAMES_UNDELIVERABLE = "relay.cluster.frames.undeliverable";

    private static final Logger LOG = Logger.getLogger(RelayCluster.class.getName());

    @Inject
    @ConfigProperty(name = RelayConfig.CLUSTER_ENABLED, defaultValue = RelayConfig.CLUSTER_ENABLED_DEFAULT)
    boolean enabled;

    @Inject
    Router router;

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry registry;

    private volatile ClusterCounters counters;
    private volatile HazelcastCluster cluster;

    /** Registers the metrics and, in cluster mode, joins; a cluster mode without Hazelcast fails the deployment. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        counters = new ClusterCounters(
                registry.counter(Metadata.builder().withName(FRAMES_FORWARDED)
                        .withDescription("SEND frames forwarded to the instance that holds their destination").build()),
                registry.counter(Metadata.builder().withName(FRAMES_RECEIVED)
                        .withDescription("Frames forwarded to this instance by other instances").build()),
                registry.counter(Metadata.builder().withName(FRAMES_UNDELIVERABLE)
                        .withDescription("Frames forwarded to this instance that it could not deliver"
                                + " (their senders got an ERROR)").build()));
        registry.gauge(Metadata.builder().withName(MEMBERS)
                .withDescription("Relay instances in the cluster, this one included; 0 without cluster mode").build(),
                this, RelayCluster::memberCount);
        registry.gauge(Metadata.builder().withName(DIRECTORY_ENTRIES)
                .withDescription("Session IDs in the cluster's routing directory, all instances; 0 without cluster mode")
                .build(), this, RelayCluster::directoryEntries);
        if (!enabled) {
            return;
        }
        HazelcastInstance hz;
        try {
            hz = (HazelcastInstance) new InitialContext().lookup(HAZELCAST_JNDI);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException(RelayConfig.CLUSTER_ENABLED + "=true, but Payara's Hazelcast ("
                    + HAZELCAST_JNDI + ") is not available: start Payara Micro without --nocluster", e);
        }
        if (hz == null || !hz.getLifecycleService().isRunning()) {
            throw new IllegalStateException(RelayConfig.CLUSTER_ENABLED + "=true, but Payara's Hazelcast is not running");
        }
        HazelcastCluster c = HazelcastCluster.start(hz, router, counters);
        cluster = c;
        router.joinCluster(c);
        LOG.info(() -> "relay cluster: joined cluster '" + hz.getConfig().getClusterName() + "' as member "
                + c.self().toString().substring(0, 8) + "; members: " + c.members());
    }

    @PreDestroy
    void leave() {
        HazelcastCluster c = cluster;
        if (c != null) {
            router.leaveCluster();
            cluster = null;
            c.close();
        }
    }

    /** Whether this instance routes as part of a cluster. */
    public boolean clustered() {
        return cluster != null;
    }

    /** Relay instances in the cluster, this one included; 0 without cluster mode. */
    public long memberCount() {
        HazelcastCluster c = cluster;
        return c == null ? 0 : c.memberCount();
    }

    /** Entries of the cluster-wide directory (a cluster-wide call: monitoring pace only); 0 without cluster mode. */
    public long directoryEntries() {
        HazelcastCluster c = cluster;
        return c == null ? 0 : c.directorySize();
    }

    /**
     * The cluster's figures as the body of a JSON object (for the admin console): enabled, members
     * (short UUID and data grid address), directory entries, frames forwarded / received /
     * undeliverable. No session ID, no payload.
     */
    public String json() {
        HazelcastCluster c = cluster;
        ClusterCounters k = counters;
        StringBuilder b = new StringBuilder(256).append('{');
        b.append("\"enabled\":").append(c != null).append(',');
        List<String> members = c == null ? List.of() : c.members();
        b.append("\"members\":[");
        for (int i = 0; i < members.size(); i++) {
            // UUID digits, an IP address and a port: nothing to escape.
            b.append(i == 0 ? "" : ",").append('"').append(members.get(i)).append('"');
        }
        b.append("],");
        b.append("\"directoryEntries\":").append(c == null ? 0 : c.directorySize()).append(',');
        b.append("\"framesForwarded\":").append(k == null ? 0 : k.forwardedCount()).append(',');
        b.append("\"framesReceived\":").append(k == null ? 0 : k.receivedCount()).append(',');
        b.append("\"framesUndeliverable\":").append(k == null ? 0 : k.undeliverableCount());
        return b.append('}').toString();
    }
}
