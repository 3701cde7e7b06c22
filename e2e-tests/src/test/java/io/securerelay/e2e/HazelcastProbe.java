package io.securerelay.e2e;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A real Hazelcast 5.3 client (the version inside Payara Micro 6.2025.10), pointed at one port
 * with the cluster name Payara uses by default ({@code development}) and no credentials: what
 * anyone on the network could try. Used to show that no port of a relay JVM lets it in.
 */
final class HazelcastProbe {

    private HazelcastProbe() {
    }

    /** Whether a Hazelcast client joined through 127.0.0.1:{@code port} within a few seconds. */
    static boolean joins(int port) {
        ClientConfig config = new ClientConfig();
        config.setClusterName("development");
        config.setInstanceName("probe-" + port + "-" + System.nanoTime());
        config.setProperty("hazelcast.logging.type", "none");
        config.getNetworkConfig().addAddress("127.0.0.1:" + port).setConnectionTimeout(2_000).setSmartRouting(false);
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(4_000);
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(config);
        } catch (IllegalStateException refused) {
            return false; // "Unable to connect to any cluster"
        }
        client.shutdown();
        return true;
    }

    /** The ports of {@code ports} through which a Hazelcast client joined (empty: none); all tried at once. */
    static List<Integer> joinedThrough(List<Integer> ports) throws InterruptedException, ExecutionException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, ports.size()));
        try {
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int p : ports) {
                tries.add(pool.submit(() -> joins(p)));
            }
            List<Integer> joined = new ArrayList<>();
            for (int i = 0; i < ports.size(); i++) {
                if (tries.get(i).get()) {
                    joined.add(ports.get(i));
                }
            }
            return joined;
        } finally {
            pool.shutdownNow();
        }
    }
}
