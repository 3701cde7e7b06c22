package io.securerelay.relay.cluster;

import io.securerelay.relay.config.RelayConfig;
import io.securerelay.relay.routing.Router;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * Cluster mode's life cycle and figures. At deployment it registers the cluster metrics (always,
 * at zero without a cluster) and, with {@link RelayConfig#CLUSTER_ENABLED}, connects to Redis
 * ({@link RedisSettings}) and hands the {@link Router} its {@link RedisRouting}; a Redis it cannot
 * use (wrong password, no TLS, an untrusted certificate, a missing ACL permission) fails the
 * deployment with one line marked {@value #FAILURE_MARK}, which the launcher shows. At
 * undeployment it leaves. Thread-safe.
 */
@ApplicationScoped
public class RelayCluster {

    /** Marks the one log line that says why cluster mode could not start (the launcher looks for it). */
    public static final String FAILURE_MARK = "RELAY-CLUSTER-FAILED";

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
    Config config;

    @Inject
    Router router;

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry registry;

    private volatile ClusterCounters counters;
    private volatile RedisRouting cluster;

    /** Registers the metrics and, in cluster mode, joins; a Redis it cannot use fails the deployment. */
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
                .withDescription("Relay instances alive in the cluster, this one included; 0 without cluster mode").build(),
                this, RelayCluster::memberCount);
        registry.gauge(Metadata.builder().withName(DIRECTORY_ENTRIES)
                .withDescription("Session IDs in the cluster's routing directory, all instances; 0 without cluster mode")
                .build(), this, RelayCluster::directoryEntries);
        if (!enabled) {
            return;
        }
        RedisSettings settings;
        try {
            settings = RedisSettings.read(key -> config.getOptionalValue(key, String.class).orElse(null), System::getenv);
        } catch (IllegalArgumentException e) {
            throw failed(e.getMessage());
        }
        RedisRouting c;
        try {
            c = RedisConnector.connect(settings, router, counters, new SecureRandom());
        } catch (RedisConnector.StartException e) {
            throw failed(e.getMessage());
        }
        cluster = c;
        router.joinCluster(c);
        LOG.info(() -> "relay cluster: joined as instance " + c.self() + " through Redis (" + settings + "); members: "
                + c.figures().members());
    }

    private static IllegalStateException failed(String why) {
        LOG.severe(FAILURE_MARK + " relay cluster: " + why);
        return new IllegalStateException("relay cluster: " + why);
    }

    @PreDestroy
    void leave() {
        RedisRouting c = cluster;
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

    /**
     * Whether routing to other instances works now (cluster mode only): both Redis connections are
     * open and the last housekeeping round succeeded; else why not. Null without cluster mode.
     */
    public String problem() {
        RedisRouting c = cluster;
        if (c == null) {
            return null;
        }
        RedisRouting.Figures f = c.figures();
        return f.up() ? "" : f.problem();
    }

    /** Relay instances alive in the cluster, this one included; 0 without cluster mode. */
    public long memberCount() {
        RedisRouting c = cluster;
        return c == null ? 0 : c.figures().members().size();
    }

    /** Entries of the cluster-wide directory as of the last housekeeping round; 0 without cluster mode. */
    public long directoryEntries() {
        RedisRouting c = cluster;
        return c == null ? 0 : c.figures().directoryEntries();
    }

    /**
     * The cluster's figures as the body of a JSON object (for the admin console): enabled, Redis up
     * or down, members (instance IDs, this one marked), directory entries, frames forwarded /
     * received / undeliverable. No session ID, no payload, no credential.
     */
    public String json() {
        RedisRouting c = cluster;
        ClusterCounters k = counters;
        StringBuilder b = new StringBuilder(256).append('{');
        b.append("\"enabled\":").append(c != null).append(',');
        RedisRouting.Figures f = c == null ? null : c.figures();
        b.append("\"redis\":\"").append(f == null ? "off" : f.up() ? "up" : "down").append("\",");
        List<String> members = f == null ? List.of() : f.members();
        b.append("\"members\":[");
        for (int i = 0; i < members.size(); i++) {
            // Instance IDs are hex digits: nothing to escape.
            String m = members.get(i);
            b.append(i == 0 ? "" : ",").append('"').append(m)
                    .append(m.equals(c.self().hex()) ? " (this instance)" : "").append('"');
        }
        b.append("],");
        b.append("\"directoryEntries\":").append(f == null ? 0 : f.directoryEntries()).append(',');
        b.append("\"framesForwarded\":").append(k == null ? 0 : k.forwardedCount()).append(',');
        b.append("\"framesReceived\":").append(k == null ? 0 : k.receivedCount()).append(',');
        b.append("\"framesUndeliverable\":").append(k == null ? 0 : k.undeliverableCount());
        return b.append('}').toString();
    }
}
