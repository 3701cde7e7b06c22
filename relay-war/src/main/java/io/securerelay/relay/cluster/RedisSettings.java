package io.securerelay.relay.cluster;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Cluster mode's link to Redis, read once through MicroProfile Config and validated before anything
 * connects. Every key below is documented in docs/ARCHITECTURE.md ("Relay configuration").
 *
 * <p>The password never travels in the URI (it would end up in logs and in {@code ps}): it comes
 * from a file or from an environment variable, is kept as a {@code char[]} for Lettuce only, and
 * {@link #toString()} does not show it.
 */
final class RedisSettings {

    /**
     * {@code relay.cluster.redis.uri}: where Redis is, in Lettuce's URI syntax, TLS only:
     * {@code rediss://[user@]host:port} (one server), {@code rediss-sentinel://[user@]host1:port1,host2:port2?sentinelMasterId=NAME}
     * (Sentinel: the master it names), or with {@link #TOPOLOGY} {@code cluster} the seed nodes of
     * a Redis Cluster {@code rediss://[user@]host1:port1,host2:port2}. The user defaults to
     * {@value #DEFAULT_USER}. A password in the URI is refused.
     */
    static final String URI = "relay.cluster.redis.uri";
    /** {@code relay.cluster.redis.topology}: {@code server} (one server or Sentinel, the default) or {@code cluster}. */
    static final String TOPOLOGY = "relay.cluster.redis.topology";
    /** {@code relay.cluster.redis.ca-file}: the PEM file of the CA(s) that verify Redis' certificate (required). */
    static final String CA_FILE = "relay.cluster.redis.ca-file";
    /** {@code relay.cluster.redis.password-file}: a file whose content (trailing newline dropped) is the ACL user's password. */
    static final String PASSWORD_FILE = "relay.cluster.redis.password-file";
    /** {@code relay.cluster.redis.password-env}: the name of an environment variable holding the password instead. */
    static final String PASSWORD_ENV = "relay.cluster.redis.password-env";
    /**
     * {@code relay.cluster.redis.ttl-seconds} (default {@value #DEFAULT_TTL}, 2 to 300): life of a
     * directory entry; its instance refreshes it every third of that, so a dead instance's entries
     * are gone within this time.
     */
    static final String TTL_SECONDS = "relay.cluster.redis.ttl-seconds";

    static final String DEFAULT_USER = "secure-relay";
    static final int DEFAULT_TTL = 6;

    enum Topology { SERVER, CLUSTER }

    private final String uriText;
    private final RedisURI uri;
    private final Topology topology;
    private final List<RedisURI> seeds;
    private final String user;
    private final Path caFile;
    private final char[] password;
    private final String passwordSource;
    private final Duration ttl;

    private RedisSettings(String uriText, RedisURI uri, Topology topology, List<RedisURI> seeds, String user,
            Path caFile, char[] password, String passwordSource, Duration ttl) {
        this.user = user;
        this.uriText = uriText;
        this.uri = uri;
        this.topology = topology;
        this.seeds = seeds;
        this.caFile = caFile;
        this.password = password;
        this.passwordSource = passwordSource;
        this.ttl = ttl;
    }

    /**
     * Reads and checks the settings.
     *
     * @param config a MicroProfile Config lookup (key to value, or null when unset)
     * @param env the process environment (for {@link #PASSWORD_ENV})
     * @throws IllegalArgumentException with one sentence naming the key and what is wrong
     */
    static RedisSettings read(Function<String, String> config, Function<String, String> env) {
        String text = trimmed(config.apply(URI));
        if (text == null) {
            throw new IllegalArgumentException(URI + " is not set: cluster mode needs the Redis to route through"
                    + " (rediss://user@host:port)");
        }
        RedisURI uri;
        try {
            uri = RedisURI.create(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(URI + " is not a Redis URI (rediss://user@host:port): "
                    + redact(e.getMessage(), text));
        }
        String userInfo = userInfo(text);
        if (userInfo != null && userInfo.contains(":")) {
            throw new IllegalArgumentException(URI + " contains a password: give it in " + PASSWORD_FILE + " or "
                    + PASSWORD_ENV + " instead, so that it appears in no log and no command line");
        }
        boolean sentinel = !uri.getSentinels().isEmpty();
        boolean tls = sentinel ? uri.getSentinels().stream().allMatch(RedisURI::isSsl) || uri.isSsl() : uri.isSsl();
        if (!tls) {
            throw new IllegalArgumentException(URI + " must use TLS (rediss:// or rediss-sentinel://), not "
                    + scheme(text) + "://: the link carries routing entries and frames");
        }
        String topologyText = trimmed(config.apply(TOPOLOGY));
        Topology topology;
        if (topologyText == null || topologyText.equals("server")) {
            topology = Topology.SERVER;
        } else if (topologyText.equals("cluster")) {
            topology = Topology.CLUSTER;
            if (sentinel) {
                throw new IllegalArgumentException(TOPOLOGY + "=cluster takes the seed nodes of a Redis Cluster"
                        + " (rediss://host1:port1,host2:port2), not a Sentinel URI");
            }
        } else {
            throw new IllegalArgumentException(TOPOLOGY + " is server or cluster, not '" + topologyText + "'");
        }
        String ca = trimmed(config.apply(CA_FILE));
        if (ca == null) {
            throw new IllegalArgumentException(CA_FILE + " is not set: the CA file that verifies Redis' certificate");
        }
        Path caFile = Path.of(ca);
        if (!Files.isReadable(caFile)) {
            throw new IllegalArgumentException(CA_FILE + " names " + caFile + ", which is not a readable file");
        }
        String file = trimmed(config.apply(PASSWORD_FILE));
        String envName = trimmed(config.apply(PASSWORD_ENV));
        char[] password;
        String source;
        if (file != null && envName != null) {
            throw new IllegalArgumentException("set " + PASSWORD_FILE + " or " + PASSWORD_ENV + ", not both");
        } else if (file != null) {
            password = readPassword(Path.of(file));
            source = "file " + file;
        } else if (envName != null) {
            String value = env.apply(envName);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(PASSWORD_ENV + " names the environment variable " + envName
                        + ", which is not set or empty");
            }
            password = value.toCharArray();
            source = "environment variable " + envName;
        } else {
            throw new IllegalArgumentException("cluster mode needs the Redis user's password: set " + PASSWORD_FILE
                    + " or " + PASSWORD_ENV);
        }
        int ttlSeconds = DEFAULT_TTL;
        String ttlText = trimmed(config.apply(TTL_SECONDS));
        if (ttlText != null) {
            try {
                ttlSeconds = Integer.parseInt(ttlText);
            } catch (NumberFormatException e) {
                ttlSeconds = -1;
            }
            if (ttlSeconds < 2 || ttlSeconds > 300) {
                throw new IllegalArgumentException(TTL_SECONDS + " is a number of seconds from 2 to 300, not '"
                        + ttlText + "'");
            }
        }
        String user = userInfo == null || userInfo.isEmpty() ? DEFAULT_USER
                : java.net.URLDecoder.decode(userInfo, StandardCharsets.UTF_8);
        uri.setAuthentication(user, password);
        for (RedisURI s : uri.getSentinels()) {
            s.setAuthentication(user, password);
        }
        List<RedisURI> seeds = List.of();
        if (topology == Topology.CLUSTER) {
            seeds = RedisClusterURIUtil.toRedisURIs(java.net.URI.create(text));
            for (RedisURI s : seeds) {
                s.setAuthentication(user, password);
            }
        }
        return new RedisSettings(text, uri, topology, seeds, user, caFile, password, source,
                Duration.ofSeconds(ttlSeconds));
    }

    /** What stands between {@code ://} and {@code @} in the URI's authority, or null if there is no {@code @}. */
    private static String userInfo(String text) {
        int start = text.indexOf("://");
        if (start < 0) {
            return null;
        }
        start += 3;
        int end = text.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = text.indexOf(c, start);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        int at = text.lastIndexOf('@', end - 1);
        return at < start ? null : text.substring(start, at);
    }

    private static char[] readPassword(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(PASSWORD_FILE + " names " + file + ", which cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new IllegalArgumentException(PASSWORD_FILE + " names " + file + ", which is empty");
        }
        char[] password = new String(bytes, 0, end, StandardCharsets.UTF_8).toCharArray();
        java.util.Arrays.fill(bytes, (byte) 0);
        return password;
    }

    private static String trimmed(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim();
        return t.isEmpty() ? null : t;
    }

    private static String scheme(String text) {
        int i = text.indexOf("://");
        return i < 0 ? "(no scheme)" : text.substring(0, i);
    }

    /** {@code message} with every occurrence of {@code secret} replaced (Lettuce may quote a URI). */
    static String redact(String message, String secret) {
        if (message == null) {
            return "";
        }
        return secret == null || secret.isEmpty() ? message : message.replace(secret, "****");
    }

    RedisURI uri() {
        return uri;
    }

    Topology topology() {
        return topology;
    }

    /** The seed nodes of a Redis Cluster ({@link Topology#CLUSTER}); empty otherwise. */
    List<RedisURI> seeds() {
        return seeds;
    }

    Path caFile() {
        return caFile;
    }

    Duration ttl() {
        return ttl;
    }

    String user() {
        return user;
    }

    /** Where the servers are, for messages: host:port of each, never a credential. */
    String where() {
        if (!uri.getSentinels().isEmpty()) {
            StringBuilder b = new StringBuilder("Sentinel ");
            for (RedisURI s : uri.getSentinels()) {
                b.append(b.length() > 9 ? "," : "").append(s.getHost()).append(':').append(s.getPort());
            }
            return b.append(" (master ").append(uri.getSentinelMasterId()).append(')').toString();
        }
        return uriText.replaceFirst("^[a-z-]+://([^@/]*@)?", "").replaceFirst("[/?].*$", "");
    }

    /** {@code message} without the password, should anything have quoted it (a last check before it is logged). */
    String scrub(String message) {
        return redact(message, new String(password));
    }

    @Override
    public String toString() {
        return "redis=" + where() + " topology=" + topology.name().toLowerCase(java.util.Locale.ROOT) + " user=" + user()
                + " ca-file=" + caFile + " password from " + passwordSource + " ttl=" + ttl.toSeconds() + "s";
    }

}
