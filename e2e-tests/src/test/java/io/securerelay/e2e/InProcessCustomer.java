package io.securerelay.e2e;

import io.securerelay.client.internal.Conversation;
import io.securerelay.client.internal.ConversationEvents;
import io.securerelay.client.internal.ExecutorEventLoop;
import io.securerelay.client.internal.FileOutbox;
import io.securerelay.client.internal.RelayLink;
import io.securerelay.client.internal.Rejections;
import io.securerelay.client.internal.Tls;
import io.securerelay.crypto.CryptoProviders;
import io.securerelay.keystore.FilePeerTrustStore;
import io.securerelay.keystore.IdentityKeyFiles;
import io.securerelay.keystore.LocalIdentity;
import io.securerelay.keystore.RoutingKeyFiles;
import io.securerelay.keystore.ScryptParams;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A customer client inside the test JVM, built from the client's own classes exactly as
 * {@code ClientApp} builds one (key files, routing key file, encrypted outbox, trust file, the
 * Tyrus relay link over TLS, the conversation engine), without the cost of a JVM per customer.
 */
final class InProcessCustomer extends ConversationEvents.Ignoring {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final AtomicLong acked = new AtomicLong();
    private final List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final Conversation conversation;
    private final RelayLink link;
    private final RoutingKey routingKey;

    InProcessCustomer(Path keyDir, URI relay, String bankSessionId, SecureRandom random) throws Exception {
        CryptoProviders.installBouncyCastle();
        LocalIdentity local = IdentityKeyFiles.loadOrCreateLocal(keyDir, "customer", (file, creating) -> null,
                ScryptParams.DEFAULT, random);
        routingKey = RoutingKeyFiles.loadOrCreate(keyDir, "customer", random);
        conversation = new Conversation("bank", SessionId.parse(bankSessionId), local.identity(),
                new FilePeerTrustStore(keyDir, "bank"),
                FileOutbox.open(keyDir, "customer", local.storage().deriveKey("outbox/customer"), random),
                this, new ExecutorEventLoop(thread), random, Clock.systemUTC(), SessionPolicy.DEFAULT,
                new Conversation.DummySchedule(Duration.ZERO, Duration.ZERO), null);
        link = new RelayLink(List.of(relay), Tls.context(Path.of(System.getProperty("certs.dir"), "ca.pem"), null),
                routingKey, conversation, thread, random);
        conversation.start(link);
    }

    String sessionId() {
        return routingKey.sessionId().toHex();
    }

    void send(String text) throws Exception {
        conversation.sendText(text).get(30, TimeUnit.SECONDS);
    }

    /** The next {@code n} texts from the bank ("number:text"), waiting at most {@code timeout} in all. */
    List<String> receive(int n, Duration timeout) throws InterruptedException {
        List<String> r = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (r.size() < n) {
            String m = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("customer " + sessionId().substring(0, 8) + ": " + r.size() + " of " + n
                        + " texts within " + timeout + "; problems: " + problems);
            }
            r.add(m);
        }
        return r;
    }

    long acked() {
        return acked.get();
    }

    List<String> problems() {
        return problems;
    }

    /** Quits and closes the relay link. */
    void stop() throws InterruptedException {
        conversation.quit();
        link.close();
        thread.shutdown();
        thread.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Override public void received(long number, long sentAtMillis, String text) { received.add(number + ":" + text); }
    @Override public void acked(long upTo) { acked.accumulateAndGet(upTo, Math::max); }
    @Override public void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
        problems.add(kind + ": " + sentence);
    }
    @Override public void problem(String code, String sentence) { problems.add(code + ": " + sentence); }
}
