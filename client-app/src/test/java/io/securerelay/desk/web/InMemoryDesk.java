package io.securerelay.desk.web;

import io.securerelay.desk.CustomerView;
import io.securerelay.desk.Desk;
import io.securerelay.desk.DeskEvent;
import io.securerelay.desk.DeskException;
import io.securerelay.desk.DeskStatus;
import io.securerelay.desk.MessageView;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A {@link Desk} that keeps customers and messages in memory, for the HTTP layer's tests only (the real
 * engine is tested on its own): the test adds customers, pushes received messages, acknowledgements and
 * key changes, which reach subscribers as {@link DeskEvent}s, and reads what the API sent.
 */
final class InMemoryDesk implements Desk {
    static final String BANK_ID = "4f1c2a9be07d3c5e8a61b2d4f0c9e713";
    static final String BANK_FP = fp('b');

    private final Map<Long, CustomerView> customers = new ConcurrentHashMap<>();
    private final List<MessageView> messages = new CopyOnWriteArrayList<>();
    private final List<Consumer<DeskEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<String> sentTexts = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong cursors = new AtomicLong();
    private final Clock clock;
    private volatile String connection = "CONNECTED";
    /** When set, every call throws it (to test the error mapping). */
    volatile RuntimeException failure;

    InMemoryDesk(Clock clock) {
        this.clock = clock;
    }

    /** A fingerprint like the real ones (16 groups of 4 hex digits), made of one repeated digit and an index. */
    static String fp(char c) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.valueOf(c).repeat(3)).append(Integer.toHexString(i));
        }
        return sb.toString();
    }

    // ---- what the test does ----------------------------------------------------------------------

    CustomerView addCustomer(String label, String fingerprint, String connection, Instant lastMessage) {
        long id = ids.incrementAndGet();
        CustomerView c = new CustomerView(id, label, String.format("%032x", id * 7919), fingerprint,
                "12345 67890 13579 24680 11223 34455 66778 89900 10293 84756 56473 82910", "TRUSTED", null, connection,
                clock.instant().minusSeconds(86400), lastMessage, 0, 0, lastMessage);
        customers.put(id, c);
        return c;
    }

    /** The customer sent {@code text}: stored as IN, unread, and a MESSAGE event. */
    MessageView receive(long customerId, String text, Instant sentAt) {
        CustomerView c = customer(customerId);
        long number = messages.stream().filter(m -> m.customerId() == customerId && m.direction().equals("IN")).count() + 1;
        MessageView m = new MessageView(cursors.incrementAndGet(), customerId, "IN", number, sentAt, clock.instant(), text,
                "RECEIVED");
        messages.add(m);
        CustomerView now = with(c, c.status(), c.presentedFingerprint(), c.unread() + 1, c.pending(), sentAt);
        publish(new DeskEvent("MESSAGE", customerId, m, now, null));
        return m;
    }

    /** The customer acknowledged the bank's message {@code cursor}: DELIVERED. */
    void acknowledge(long cursor) {
        MessageView m = messages.stream().filter(x -> x.cursor() == cursor).findFirst().orElseThrow();
        MessageView d = new MessageView(m.cursor(), m.customerId(), m.direction(), m.number(), m.sentAt(), m.storedAt(),
                m.text(), "DELIVERED");
        messages.set(messages.indexOf(m), d);
        CustomerView c = customer(m.customerId());
        CustomerView now = with(c, c.status(), c.presentedFingerprint(), c.unread(), Math.max(0, c.pending() - 1),
                c.lastMessageAt());
        publish(new DeskEvent("DELIVERED", m.customerId(), d, now, null));
    }

    /** The customer called with another key: blocked until re-trusted. */
    CustomerView keyChanged(long customerId, String presented) {
        CustomerView c = customer(customerId);
        CustomerView now = with(c, "KEY_CHANGED", presented, c.unread(), c.pending(), c.lastMessageAt());
        publish(new DeskEvent("CUSTOMER", customerId, null, now, null));
        return now;
    }

    void relay(String state) {
        connection = state;
        publish(new DeskEvent("CONNECTION", 0, null, null, status()));
    }

    List<String> sentTexts() {
        return List.copyOf(sentTexts);
    }

    int subscribers() {
        return listeners.size();
    }

    // ---- the Desk ---------------------------------------------------------------------------------

    @Override
    public DeskStatus status() {
        check();
        int secure = (int) customers.values().stream().filter(c -> c.connection().equals("SECURE")).count();
        long unread = customers.values().stream().mapToLong(CustomerView::unread).sum();
        int blocked = (int) customers.values().stream().filter(c -> c.status().equals("KEY_CHANGED")).count();
        return new DeskStatus(BANK_ID, BANK_FP, "wss://relay.example:8765/relay", connection, customers.size(), secure,
                unread, blocked, "in memory (test)");
    }

    @Override
    public List<CustomerView> customers() {
        check();
        return customers.values().stream()
                .sorted(Comparator.comparing((CustomerView c) -> c.lastMessageAt() == null ? Instant.EPOCH : c.lastMessageAt())
                        .reversed())
                .collect(Collectors.toList());
    }

    @Override
    public CustomerView customer(long customerId) {
        check();
        CustomerView c = customers.get(customerId);
        if (c == null) {
            throw new DeskException(DeskException.Kind.NOT_FOUND, "There is no customer " + customerId + ".");
        }
        return c;
    }

    @Override
    public List<MessageView> messages(long customerId, long after, int limit) {
        customer(customerId);
        if (limit < 1 || limit > 1000) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "limit is 1 to 1000.");
        }
        return messages.stream().filter(m -> m.customerId() == customerId && m.cursor() > after)
                .sorted(Comparator.comparingLong(MessageView::cursor)).limit(limit).collect(Collectors.toList());
    }

    @Override
    public MessageView send(long customerId, String text) {
        CustomerView c = customer(customerId);
        if (text.isEmpty() || text.getBytes(StandardCharsets.UTF_8).length > 16 * 1024) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "A message is 1 byte to 16 KiB of UTF-8.");
        }
        if (c.status().equals("KEY_CHANGED")) {
            throw new DeskException(DeskException.Kind.CONFLICT, "The customer's key changed: re-trust it first.");
        }
        long number = messages.stream().filter(m -> m.customerId() == customerId && m.direction().equals("OUT")).count() + 1;
        Instant now = clock.instant();
        MessageView m = new MessageView(cursors.incrementAndGet(), customerId, "OUT", number, now, now, text, "QUEUED");
        messages.add(m);
        sentTexts.add(text);
        CustomerView updated = with(c, c.status(), c.presentedFingerprint(), c.unread(), c.pending() + 1, now);
        publish(new DeskEvent("MESSAGE", customerId, m, updated, null));
        return m;
    }

    @Override
    public void markRead(long customerId, long cursor) {
        CustomerView c = customer(customerId);
        for (MessageView m : new ArrayList<>(messages)) {
            if (m.customerId() == customerId && m.direction().equals("IN") && m.cursor() <= cursor && m.state().equals("RECEIVED")) {
                messages.set(messages.indexOf(m), new MessageView(m.cursor(), m.customerId(), m.direction(), m.number(),
                        m.sentAt(), m.storedAt(), m.text(), "READ"));
            }
        }
        long unread = messages.stream().filter(m -> m.customerId() == customerId && m.state().equals("RECEIVED")).count();
        with(c, c.status(), c.presentedFingerprint(), unread, c.pending(), c.lastMessageAt());
    }

    @Override
    public CustomerView retrust(long customerId, String presentedFingerprint) {
        CustomerView c = customer(customerId);
        if (!c.status().equals("KEY_CHANGED") || !c.presentedFingerprint().equals(presentedFingerprint)) {
            throw new DeskException(DeskException.Kind.CONFLICT, "That is not the key the customer presented.");
        }
        CustomerView now = new CustomerView(c.id(), c.label(), c.sessionId(), c.presentedFingerprint(), null, "TRUSTED", null,
                c.connection(), c.firstSeen(), c.lastSeen(), c.unread(), c.pending(), c.lastMessageAt());
        customers.put(customerId, now);
        publish(new DeskEvent("CUSTOMER", customerId, null, now, null));
        return now;
    }

    @Override
    public CustomerView rename(long customerId, String label) {
        CustomerView c = customer(customerId);
        if (label.isBlank() || label.length() > 100) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "A label is 1 to 100 characters.");
        }
        CustomerView now = new CustomerView(c.id(), label.strip(), c.sessionId(), c.fingerprint(), c.safetyNumber(), c.status(),
                c.presentedFingerprint(), c.connection(), c.firstSeen(), c.lastSeen(), c.unread(), c.pending(), c.lastMessageAt());
        customers.put(customerId, now);
        return now;
    }

    @Override
    public CustomerView register(String label, String publicIdentityKeyJson) {
        check();
        JsonObject o;
        try {
            o = Json.createReader(new StringReader(publicIdentityKeyJson)).readObject();
        } catch (RuntimeException e) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "That is not a public identity key file.");
        }
        if (!(o.get("public_key") instanceof JsonString) || !(o.get("fingerprint") instanceof JsonString)) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "That is not a public identity key file.");
        }
        String fingerprint = o.getString("fingerprint");
        if (customers.values().stream().anyMatch(c -> c.fingerprint().equals(fingerprint))) {
            throw new DeskException(DeskException.Kind.CONFLICT, "That key is already registered.");
        }
        CustomerView c = addCustomer(label == null ? "Customer " + fingerprint.substring(0, 4) : label, fingerprint, "OFFLINE",
                null);
        publish(new DeskEvent("CUSTOMER", c.id(), null, c, null));
        return c;
    }

    @Override
    public AutoCloseable subscribe(Consumer<DeskEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private CustomerView with(CustomerView c, String status, String presented, long unread, long pending, Instant last) {
        CustomerView now = new CustomerView(c.id(), c.label(), c.sessionId(), c.fingerprint(), c.safetyNumber(), status, presented,
                c.connection(), c.firstSeen(), last == null ? c.lastSeen() : last, unread, pending, last);
        customers.put(c.id(), now);
        return now;
    }

    private void publish(DeskEvent e) {
        listeners.forEach(l -> l.accept(e));
    }

    private void check() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }
}
