package io.securerelay.relay.cluster;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.routing.ClusterRouting;
import io.securerelay.relay.routing.Router;
import io.securerelay.relay.tyrus.RelayUpgradeHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cluster routing through Redis, the way Signal-Server routes between its WebSocket servers.
 *
 * <ul>
 * <li><b>Directory</b>: one key per registered session, {@value #DIRECTORY_PREFIX}{@code <session ID hex>}
 * = the owning instance's ID, with a TTL ({@code relay.cluster.redis.ttl-seconds}). Written on
 * registration with {@code SET … EX ttl GET}: the previous owner, if another instance, is told to
 * close its connection (4001). Every third of the TTL the owner refreshes its entries with
 * {@code EXPIRE} (which never overwrites a newer owner) and writes back those that vanished (Redis
 * restarted) with {@code SET … NX}; an instance that dies stops refreshing, and its entries are gone
 * within one TTL. On close: {@code GET}, then {@code DEL} if still ours.
 * <li><b>Transport</b>: each instance subscribes to one sharded pub/sub channel,
 * {@code sr:{<instance ID>}:in} ({@code SSUBSCRIBE}; the hash tag keeps it on one shard of a Redis
 * Cluster). Messages for an instance wait in its {@link Outbox}; at most one {@code SPUBLISH} per
 * destination is in flight, and the next one carries everything queued meanwhile: frames are
 * batched per flush without a timer. One batch, one Redis connection, one subscriber: order kept.
 * The receiving instance writes a batch's frames with one flush per receiver ({@link RelayUpgradeHandler#asOneRead}).
 * {@code SPUBLISH} answers how many subscribers got the message: 0 means the instance is gone, and
 * the senders get PEER_NOT_CONNECTED at once.
 * <li><b>Lookups</b>: the owner of a destination is asked of Redis once ({@code GET}) and
 * remembered until a failure says otherwise (an UNDELIVERABLE back from that instance, a batch
 * nobody received) or it is unused for {@link #IDLE_ROUTE}; frames sent while the answer is on its
 * way wait behind it, in order. No container thread ever waits for Redis.
 * </ul>
 *
 * <p>Nothing here blocks a container thread or keeps a frame beyond its trip: queued bytes per
 * destination are bounded ({@link #MAX_QUEUED_BYTES}); over the bound a frame is refused.
 * Thread-safe.
 */
final class RedisRouting implements ClusterRouting, AutoCloseable {

    /** Every key and channel of the relays starts with this (the ACL user may touch nothing else). */
    static final String PREFIX = "sr:";
    static final String DIRECTORY_PREFIX = PREFIX + "dir:";
    /** Sorted set: instance ID to the time (epoch ms) it was last seen alive. */
    static final String MEMBERS = PREFIX + "members";
    /** Hash: instance ID to its number of registered sessions, for the directory-size gauge. */
    static final String SESSIONS = PREFIX + "sessions";
    /** Bytes of one batch at most (one SPUBLISH). */
    static final int MAX_BATCH_BYTES = 256 * 1024;
    /** Bytes waiting for one destination instance (or one lookup) at most; over it, frames are refused. */
    static final long MAX_QUEUED_BYTES = 8L << 20;
    /** A remembered owner unused this long is forgotten (asked again when next needed). */
    static final Duration IDLE_ROUTE = Duration.ofSeconds(60);
    /** How long a housekeeping round waits for Redis' answers. */
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = Logger.getLogger(RedisRouting.class.getName());

    private final Router router;
    private final ClusterCounters counters;
    private final InstanceId self;
    private final byte[] selfValue;
    private final String selfChannel;
    private final long ttlSeconds;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final StatefulConnection<String, byte[]> connection;
    private final StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private final AutoCloseable client;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-cluster-housekeeping");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentMap<SessionId, Route> owners = new ConcurrentHashMap<>();
    private final ConcurrentMap<InstanceId, Outbox> outboxes = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private volatile Figures figures = new Figures(List.of(), 0, false, "not started");

    /** What the last housekeeping round saw: for the gauges, the admin console and health. */
    record Figures(List<String> members, long directoryEntries, boolean up, String problem) {
    }

    RedisRouting(Router router, ClusterCounters counters, InstanceId self, Duration ttl,
            RedisClusterAsyncCommands<String, byte[]> redis, StatefulConnection<String, byte[]> connection,
            StatefulRedisPubSubConnection<String, byte[]> pubsub, AutoCloseable client) {
        this.router = router;
        this.counters = counters;
        this.self = self;
        this.selfValue = self.hex().getBytes(StandardCharsets.US_ASCII);
        this.selfChannel = channel(self);
        this.ttlSeconds = ttl.toSeconds();
        this.redis = redis;
        this.connection = connection;
        this.pubsub = pubsub;
        this.client = client;
    }

    static String channel(InstanceId instance) {
        return PREFIX + "{" + instance.hex() + "}:in";
    }

    static String directoryKey(SessionId id) {
        return DIRECTORY_PREFIX + id.toHex();
    }

    /**
     * Subscribes to this instance's channel and runs the first housekeeping round, both waited
     * for: a Redis that refuses any of it (a missing ACL permission) fails the start.
     *
     * @throws ExecutionException with Redis' refusal, {@link TimeoutException} if it did not answer
     */
    void start() throws ExecutionException, TimeoutException, InterruptedException {
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, byte[] message) {
                onBatch(message);
            }
        });
        pubsub.async().ssubscribe(selfChannel).get(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        round();
        long period = Math.max(1, ttlSeconds * 1000 / 3);
        housekeeping.scheduleWithFixedDelay(this::roundLogged, period, period, TimeUnit.MILLISECONDS);
    }

    InstanceId self() {
        return self;
    }

    Figures figures() {
        Figures f = figures;
        if (f.up() && !(connection.isOpen() && pubsub.isOpen())) {
            return new Figures(f.members(), f.directoryEntries(), false, "connection to Redis lost");
        }
        return f;
    }

    // ---- the directory ----

    @Override
    public void registered(SessionId id) {
        forgetOwner(id, null);
        RedisFuture<byte[]> previous;
        try {
            previous = redis.setGet(directoryKey(id), selfValue, SetArgs.Builder.ex(ttlSeconds));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "directory write failed (the next round writes it): {0}", e.toString());
            return;
        }
        previous.whenComplete((old, error) -> {
            if (error != null) {
                LOG.log(Level.FINE, "directory write failed (the next round writes it): {0}", error.toString());
                return;
            }
            InstanceId owner = parseOwner(old);
            if (owner != null && !owner.equals(self)) {
                send(owner, ClusterMessage.encode(new ClusterMessage.TakenOver(id)));
            }
        });
    }

    @Override
    public void unregistered(SessionId id) {
        String key = directoryKey(id);
        try {
            redis.get(key).thenAccept(owner -> {
                // Still ours: delete. A take-over on another instance between the two commands would
                // lose its entry until its next round writes it back (SET NX): at most a third of a TTL.
                if (Arrays.equals(owner, selfValue)) {
                    redis.del(key);
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "directory remove failed (the entry expires): {0}", e.toString());
        }
    }

    // ---- frames to other instances ----

    @Override
    public boolean forward(SessionId from, SessionId to, ByteBuffer payload) {
        Pending frame = new Pending(from, to, ClusterMessage.encode(new ClusterMessage.Forward(from, to, payload)));
        for (int attempt = 0; attempt < 4; attempt++) {
            Route route = owners.get(to);
            boolean lookUp = false;
            if (route == null) {
                Route fresh = new Route(to);
                route = owners.putIfAbsent(to, fresh);
                if (route == null) {
                    route = fresh;
                    lookUp = true;
                }
            }
            boolean accepted;
            Outbox outbox = null;
            synchronized (route) {
                if (route.forgotten) {
                    continue; // forgotten meanwhile: take the new route
                }
                route.usedNanos = System.nanoTime();
                if (route.owner == null) {
                    accepted = route.waitingBytes + frame.message.length <= MAX_QUEUED_BYTES;
                    if (accepted) {
                        route.waiting.add(frame);
                        route.waitingBytes += frame.message.length;
                    }
                } else {
                    outbox = outbox(route.owner);
                    accepted = outbox.enqueue(frame);
                }
            }
            if (lookUp) {
                lookUp(route);
            }
            if (outbox != null) {
                outbox.flush();
            }
            return accepted;
        }
        return false;
    }

    /** Asks Redis who holds {@code route}'s session; frames wait in the route meanwhile. */
    private void lookUp(Route route) {
        RedisFuture<byte[]> answer;
        try {
            answer = redis.get(directoryKey(route.to));
        } catch (RuntimeException e) {
            resolved(route, null);
            return;
        }
        answer.whenComplete((value, error) -> resolved(route, error == null ? parseOwner(value) : null));
    }

    private void resolved(Route route, InstanceId owner) {
        List<Pending> refused = new ArrayList<>();
        Outbox outbox = null;
        synchronized (route) {
            if (owner == null || owner.equals(self) || route.forgotten) {
                // Nobody (or, stale, this instance, where the router found no connection).
                route.forgotten = true;
                owners.remove(route.to, route);
                refused.addAll(route.waiting);
            } else {
                route.owner = owner;
                outbox = outbox(owner);
                for (Pending p : route.waiting) {
                    if (!outbox.enqueue(p)) {
                        refused.add(p);
                    }
                }
            }
            route.waiting = new ArrayList<>();
            route.waitingBytes = 0;
        }
        if (outbox != null) {
            outbox.flush();
        }
        for (Pending p : refused) {
            router.refusedElsewhere(p.from, p.to, ErrorCode.PEER_NOT_CONNECTED);
        }
    }

    /** Forgets where {@code id} is, if {@code owner} is null or the owner remembered. */
    private void forgetOwner(SessionId id, InstanceId owner) {
        Route route = owners.get(id);
        if (route == null) {
            return;
        }
        synchronized (route) {
            if (route.owner == null && owner != null) {
                return; // still being looked up: the answer is newer than what made us doubt
            }
            if (owner == null || owner.equals(route.owner)) {
                route.forgotten = true;
                owners.remove(id, route);
            }
        }
    }

    /** Forgets every session remembered on {@code instance} (it received nothing: gone, or not subscribed). */
    private void forgetInstance(InstanceId instance) {
        for (Route route : owners.values()) {
            if (instance.equals(route.owner)) {
                forgetOwner(route.to, instance);
            }
        }
    }

    private void send(InstanceId to, byte[] message) {
        Outbox outbox = outbox(to);
        outbox.enqueue(new Pending(null, null, message));
        outbox.flush();
    }

    private Outbox outbox(InstanceId to) {
        return outboxes.computeIfAbsent(to, Outbox::new);
    }

    // ---- frames from other instances ----

    private void onBatch(byte[] bytes) {
        ClusterMessage.Batch batch;
        try {
            batch = ClusterMessage.decodeBatch(bytes);
        } catch (IllegalArgumentException e) {
            if (malformed.getAndIncrement() % 1000 == 0) {
                LOG.log(Level.WARNING, "ignored a malformed batch on {0} ({1} so far): {2}",
                        new Object[] {selfChannel, malformed.get(), e.getMessage()});
            }
            return;
        }
        InstanceId origin = batch.origin();
        // One flush per receiver at the end, as the frames of one client read: a batch from another
        // instance leaves in a few TLS records instead of one per frame.
        RelayUpgradeHandler.asOneRead(() -> deliver(origin, batch));
    }

    private void deliver(InstanceId origin, ClusterMessage.Batch batch) {
        for (ClusterMessage m : batch.messages()) {
            if (m instanceof ClusterMessage.Forward f) {
                counters.received();
                boolean local = router.deliverForwarded(f.from(), f.to(), f.payload(), code -> bounce(origin, code, f));
                if (!local) {
                    bounce(origin, ErrorCode.PEER_NOT_CONNECTED, f);
                }
            } else if (m instanceof ClusterMessage.Undeliverable u) {
                forgetOwner(u.to(), origin);
                router.refusedElsewhere(u.sender(), u.to(), u.code());
            } else if (m instanceof ClusterMessage.TakenOver t) {
                router.takenOverElsewhere(t.id());
            }
        }
    }

    /** A forwarded frame was not delivered here: the sender's instance tells the sender. */
    private void bounce(InstanceId origin, ErrorCode code, ClusterMessage.Forward f) {
        counters.undeliverable();
        if (!origin.equals(self)) {
            send(origin, ClusterMessage.encode(new ClusterMessage.Undeliverable(code, f.from(), f.to())));
        }
    }

    // ---- housekeeping: refresh, membership, figures ----

    private void roundLogged() {
        try {
            round();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            String problem = e instanceof ExecutionException && e.getCause() != null ? e.getCause().toString() : e.toString();
            if (figures.up()) {
                LOG.log(Level.WARNING, "relay cluster: Redis unavailable, routing to other instances stops until it is back: {0}",
                        problem);
            }
            figures = new Figures(figures.members(), figures.directoryEntries(), false, problem);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One round, on the housekeeping thread: refreshes this instance's directory entries (writing
     * back any that vanished), marks it alive, drops instances silent for a TTL, reads the
     * members and the directory's size, checks the subscription, and forgets idle routes.
     */
    private void round() throws ExecutionException, TimeoutException, InterruptedException {
        List<SessionId> local = router.localSessionIds();
        List<RedisFuture<Boolean>> refreshed = new ArrayList<>(local.size());
        for (SessionId id : local) {
            refreshed.add(redis.expire(directoryKey(id), ttlSeconds));
        }
        List<RedisFuture<?>> rewrites = new ArrayList<>();
        for (int i = 0; i < local.size(); i++) {
            if (!Boolean.TRUE.equals(await(refreshed.get(i)))) {
                rewrites.add(redis.set(directoryKey(local.get(i)), selfValue, SetArgs.Builder.nx().ex(ttlSeconds)));
            }
        }
        long now = System.currentTimeMillis();
        // Alive: seen within one TTL (three rounds), as long as its directory entries live.
        double cutoff = now - 1_000.0 * ttlSeconds;
        await(redis.zadd(MEMBERS, (double) now, selfValue));
        await(redis.hset(SESSIONS, self.hex(), Integer.toString(local.size()).getBytes(StandardCharsets.US_ASCII)));
        List<byte[]> silent = await(redis.zrangebyscore(MEMBERS, Range.create(Double.NEGATIVE_INFINITY, cutoff)));
        if (!silent.isEmpty()) {
            await(redis.zrem(MEMBERS, silent.toArray(new byte[0][])));
            await(redis.hdel(SESSIONS, silent.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toArray(String[]::new)));
        }
        List<byte[]> alive = await(redis.zrangebyscore(MEMBERS, Range.create(cutoff, Double.POSITIVE_INFINITY)));
        List<String> members = new ArrayList<>();
        for (byte[] m : alive) {
            members.add(new String(m, StandardCharsets.US_ASCII));
        }
        long entries = 0;
        if (!members.isEmpty()) {
            for (KeyValue<String, byte[]> kv : await(redis.hmget(SESSIONS, members.toArray(new String[0])))) {
                if (kv.hasValue()) {
                    entries += parseCount(kv.getValue());
                }
            }
        }
        Map<String, Long> subscribers = await(redis.pubsubShardNumsub(selfChannel));
        Long mine = subscribers.get(selfChannel);
        if (mine == null || mine == 0) {
            // Lettuce subscribes again after a reconnect; if it has not (yet), so do we.
            LOG.log(Level.INFO, "relay cluster: subscribing to {0} again", selfChannel);
            pubsub.async().ssubscribe(selfChannel).get(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (RedisFuture<?> f : rewrites) {
            await(f);
        }
        long idleBefore = System.nanoTime() - IDLE_ROUTE.toNanos();
        for (Route route : owners.values()) {
            if (route.owner != null && route.usedNanos - idleBefore < 0) {
                forgetOwner(route.to, route.owner);
            }
        }
        boolean wasUp = figures.up();
        figures = new Figures(List.copyOf(members), entries, true, "");
        if (!wasUp && !rewrites.isEmpty()) {
            LOG.log(Level.INFO, "relay cluster: Redis is back; wrote back {0} directory entries", rewrites.size());
        } else if (!wasUp && figures.members().size() > 0) {
            LOG.log(Level.FINE, "relay cluster: Redis up, members {0}", members);
        }
    }

    private static <T> T await(RedisFuture<T> f) throws ExecutionException, TimeoutException, InterruptedException {
        return f.get(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static long parseCount(byte[] value) {
        try {
            return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static InstanceId parseOwner(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return InstanceId.parse(new String(value, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        try {
            LettuceFutures.awaitAll(Duration.ofSeconds(2), redis.zrem(MEMBERS, selfValue), redis.hdel(SESSIONS, self.hex()));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "leaving the relay cluster: {0}", e.toString());
        }
        try {
            client.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "closing the Redis client: {0}", e.toString());
        }
    }

    /** One message for another instance; {@code from} and {@code to} are set for a FORWARD only. */
    private record Pending(SessionId from, SessionId to, byte[] message) {
    }

    /** Where one destination session is: being looked up ({@code owner == null}, frames waiting) or known. */
    private static final class Route {
        final SessionId to;
        InstanceId owner;
        List<Pending> waiting = new ArrayList<>();
        long waitingBytes;
        boolean forgotten;
        volatile long usedNanos = System.nanoTime();

        Route(SessionId to) {
            this.to = to;
        }
    }

    /**
     * The messages waiting for one instance, and at most one {@code SPUBLISH} to it in flight: when
     * it completes, the next batch takes everything queued meanwhile.
     *
     * <p>One, not more, for order: a publish started in a completion callback runs on the Netty
     * event loop and Lettuce writes it at once, ahead of a publish a container thread handed to
     * the same event loop just before (still in its task queue). With four in flight the benchmark
     * counted 1,101 to 2,355 frames out of order per run; with one, none.
     */
    private final class Outbox {
        private final InstanceId to;
        private final String channel;
        private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicLong queuedBytes = new AtomicLong();
        private final AtomicBoolean publishing = new AtomicBoolean();

        Outbox(InstanceId to) {
            this.to = to;
            this.channel = channel(to);
        }

        /** Queues {@code p}; false (and nothing queued) if that would exceed {@link #MAX_QUEUED_BYTES}. */
        boolean enqueue(Pending p) {
            if (queuedBytes.addAndGet(p.message.length) > MAX_QUEUED_BYTES) {
                queuedBytes.addAndGet(-p.message.length);
                return false;
            }
            queue.add(p);
            return true;
        }

        /** Publishes what is queued, unless a publish is in flight (its completion will). */
        void flush() {
            while (!queue.isEmpty() && publishing.compareAndSet(false, true)) {
                List<Pending> batch = new ArrayList<>();
                List<byte[]> messages = new ArrayList<>();
                int size = ClusterMessage.BATCH_HEADER;
                long bytes = 0;
                for (Pending p = queue.peek(); p != null && batch.size() < ClusterMessage.BATCH_MAX_COUNT
                        && (batch.isEmpty() || size + ClusterMessage.BATCH_ENTRY_HEADER + p.message.length <= MAX_BATCH_BYTES);
                        p = queue.peek()) {
                    queue.poll();
                    batch.add(p);
                    messages.add(p.message);
                    size += ClusterMessage.BATCH_ENTRY_HEADER + p.message.length;
                    bytes += p.message.length;
                }
                queuedBytes.addAndGet(-bytes);
                RedisFuture<Long> published;
                try {
                    published = redis.spublish(channel, ClusterMessage.encodeBatch(self, messages));
                } catch (RuntimeException e) {
                    published(batch, null, e);
                    continue;
                }
                published.whenComplete((receivers, error) -> published(batch, receivers, error));
            }
        }

        private void published(List<Pending> batch, Long receivers, Throwable error) {
            boolean received = error == null && receivers != null && receivers > 0;
            if (!received) {
                LOG.log(Level.FINE, "a batch of {0} for instance {1} reached nobody ({2})",
                        new Object[] {batch.size(), to, error == null ? "no subscriber" : error.toString()});
                forgetInstance(to);
                if (queue.isEmpty()) {
                    outboxes.remove(to, this); // a dead instance's outbox goes (a late message makes a new one)
                }
            }
            publishing.set(false);
            for (Pending p : batch) {
                if (p.from == null) {
                    continue;
                }
                if (received) {
                    counters.forwarded();
                } else {
                    router.refusedElsewhere(p.from, p.to, ErrorCode.PEER_NOT_CONNECTED);
                }
            }
            flush();
        }
    }
}
