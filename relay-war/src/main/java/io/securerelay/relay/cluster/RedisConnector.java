package io.securerelay.relay.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.securerelay.relay.routing.Router;
import java.net.ConnectException;
import java.security.SecureRandom;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Opens cluster mode's two Redis connections (one shared for commands, one for pub/sub) with the
 * settings' TLS and credentials, and turns any failure into one sentence that says what to fix
 * and holds no credential.
 */
final class RedisConnector {

    /** Keys are text, values (instance IDs, batches) bytes. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

    /** Why cluster mode could not start, in one sentence without any credential. */
    static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message, null, false, false);
        }
    }

    private RedisConnector() {
    }

    /** Connects, subscribes and runs the first round; every failure is a {@link StartException}. */
    static RedisRouting connect(RedisSettings s, Router router, ClusterCounters counters, SecureRandom random)
            throws StartException {
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // The JDK's resolver: Netty's DNS resolver would hold UDP sockets bound to every
                // interface for as long as the client lives (seen with ss -lunp).
                .addressResolverGroup(DefaultAddressResolverGroup.INSTANCE)
                // Redis restarted or a failover: try again soon, and at least every 2 s.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        SslOptions ssl;
        try {
            ssl = SslOptions.builder().jdkSslProvider().trustManager(s.caFile().toFile())
                    .protocols("TLSv1.3", "TLSv1.2").build();
        } catch (RuntimeException e) {
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new StartException(RedisSettings.CA_FILE + " " + s.caFile() + " holds no usable CA certificate: "
                    + s.scrub(String.valueOf(e.getMessage())));
        }
        RedisURI uri = s.uri();
        uri.setVerifyPeer(SslVerifyMode.FULL);
        uri.setTimeout(COMMAND_TIMEOUT);
        for (RedisURI other : uri.getSentinels()) {
            other.setVerifyPeer(SslVerifyMode.FULL);
        }
        for (RedisURI other : s.seeds()) {
            other.setVerifyPeer(SslVerifyMode.FULL);
            other.setTimeout(COMMAND_TIMEOUT);
        }
        SocketOptions socket = SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build();
        InstanceId self = InstanceId.random(random);
        AutoCloseable[] opened = new AutoCloseable[1];
        try {
            RedisRouting routing;
            if (s.topology() == RedisSettings.Topology.CLUSTER) {
                RedisClusterClient client = RedisClusterClient.create(resources, s.seeds());
                opened[0] = () -> shutdown(client, resources);
                client.setOptions(ClusterClientOptions.builder().sslOptions(ssl).socketOptions(socket)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .requestQueueSize(131_072).timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
                StatefulRedisClusterConnection<String, byte[]> connection = client.connect(CODEC);
                StatefulRedisPubSubConnection<String, byte[]> pubsub = client.connectPubSub(CODEC);
                routing = new RedisRouting(router, counters, self, s.ttl(), connection.async(), connection, pubsub,
                        opened[0]);
            } else {
                RedisClient client = RedisClient.create(resources);
                opened[0] = () -> shutdown(client, resources);
                client.setOptions(ClientOptions.builder().sslOptions(ssl).socketOptions(socket)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .requestQueueSize(131_072).timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
                StatefulRedisConnection<String, byte[]> connection = client.connect(CODEC, uri);
                StatefulRedisPubSubConnection<String, byte[]> pubsub = client.connectPubSub(CODEC, uri);
                routing = new RedisRouting(router, counters, self, s.ttl(), connection.async(), connection, pubsub,
                        opened[0]);
            }
            routing.start();
            return routing;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(opened[0], resources);
            throw new StartException("interrupted while connecting to Redis at " + s.where());
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            close(opened[0], resources);
            throw new StartException(s.scrub(describe(e instanceof ExecutionException && e.getCause() != null
                    ? e.getCause() : e, s)));
        }
    }

    /** One sentence for a failure to connect or to run the first commands. */
    static String describe(Throwable failure, RedisSettings s) {
        String where = "Redis at " + s.where();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = plain(t.getMessage());
            if (t instanceof RedisCommandExecutionException) {
                if (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains("invalid username-password")) {
                    return where + " refused the user '" + s.user() + "' and its password (" + firstWord(m)
                            + "): check the password in " + RedisSettings.PASSWORD_FILE + " / " + RedisSettings.PASSWORD_ENV
                            + " and the ACL";
                }
                if (m.startsWith("NOPERM")) {
                    return where + ": the ACL user '" + s.user() + "' lacks a permission the relay needs: " + m;
                }
                return where + " refused a command: " + m;
            }
            if (t.getClass().getName().equals("io.netty.handler.ssl.NotSslRecordException")) {
                return where + " does not answer TLS on that port (a plain-text Redis?): the relay connects with TLS only";
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException
                    || t instanceof CertificateException || (t instanceof SSLHandshakeException && m.contains("PKIX"))) {
                return where + " presented a certificate that " + RedisSettings.CA_FILE + " (" + s.caFile()
                        + ") does not trust, or not for that host name (" + plain(innermost(t).getMessage()) + ")";
            }
            if (t instanceof SSLException) {
                return "the TLS handshake with " + where + " failed: " + m;
            }
            if (t instanceof ConnectException) {
                return "nothing accepts connections at " + s.where() + " (is Redis running?)";
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return where + " did not answer within " + CONNECT_TIMEOUT.toSeconds() + " s";
            }
        }
        return "cannot use " + where + ": " + plain(String.valueOf(innermost(failure).getMessage()));
    }

    /** A message without the exception class names that wrappers put in front of it. */
    private static String plain(String message) {
        return String.valueOf(message).replaceAll("^(?:[A-Za-z_$][\\w$]*\\.)*[A-Za-z_$][\\w$]*(?:Exception|Error): ", "")
                .replaceAll("(?:[A-Za-z_$][\\w$]*\\.)+[A-Za-z_$][\\w$]*(?:Exception|Error): ", "");
    }

    private static Throwable innermost(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String firstWord(String m) {
        int i = m.indexOf(' ');
        return i < 0 ? m : m.substring(0, i);
    }

    private static void shutdown(io.lettuce.core.AbstractRedisClient client, ClientResources resources) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static void close(AutoCloseable client, ClientResources resources) {
        try {
            if (client != null) {
                client.close();
            } else {
                resources.shutdown(0, 2, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // closing after a failure: nothing more to say than the failure
        }
    }
}
