package io.securerelay.desk.web.internal;

import io.securerelay.desk.Desk;
import io.securerelay.desk.DeskEvent;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The desk's live events to every open SSE stream: one subscription to the {@link Desk}, whose listener
 * only hands the event to this hub's own thread (the desk's thread never waits on a slow browser); a
 * heartbeat comment keeps idle streams open and finds dead ones. If more than {@link #MAX_BACKLOG}
 * events wait, the streams are closed: the GUI reconnects and reloads, nothing is silently skipped.
 */
public final class EventHub implements AutoCloseable {
    public static final int MAX_STREAMS = 64;
    static final int MAX_BACKLOG = 10_000;
    private static final Logger LOG = Logger.getLogger(EventHub.class.getName());

    private final Set<SseEventSink> sinks = ConcurrentHashMap.newKeySet();
    private final AtomicInteger backlog = new AtomicInteger();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "desk-web-events");
        t.setDaemon(true);
        return t;
    });
    private final AutoCloseable subscription;
    private volatile Sse sse;

    public EventHub(Desk desk, Duration heartbeat) {
        subscription = desk.subscribe(this::onEvent);
        thread.scheduleWithFixedDelay(this::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Adds a stream (its first line is a comment, so the browser knows it is open); false if there are too many. */
    public boolean add(SseEventSink sink, Sse sse) {
        this.sse = sse;
        if (sinks.size() >= MAX_STREAMS) {
            return false;
        }
        sinks.add(sink);
        thread.execute(() -> send(sink, sse.newEventBuilder().comment("connected").build()));
        return true;
    }

    int streams() {
        return sinks.size();
    }

    private void onEvent(DeskEvent event) {
        if (backlog.incrementAndGet() > MAX_BACKLOG) {
            backlog.decrementAndGet();
            thread.execute(this::closeAll);
            return;
        }
        thread.execute(() -> {
            backlog.decrementAndGet();
            Sse s = sse;
            if (s == null || sinks.isEmpty()) {
                return;
            }
            OutboundSseEvent out = s.newEventBuilder().name(event.type()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(DeskEvent.class, event).build();
            for (SseEventSink sink : sinks) {
                send(sink, out);
            }
        });
    }

    private void heartbeat() {
        Sse s = sse;
        if (s != null) {
            OutboundSseEvent beat = s.newEventBuilder().comment("heartbeat").build();
            for (SseEventSink sink : sinks) {
                send(sink, beat);
            }
        }
    }

    private void send(SseEventSink sink, OutboundSseEvent event) {
        if (sink.isClosed()) {
            sinks.remove(sink);
            return;
        }
        try {
            sink.send(event).whenComplete((done, failure) -> {
                if (failure != null) {
                    drop(sink);
                }
            });
        } catch (RuntimeException e) {
            drop(sink);
        }
    }

    private void drop(SseEventSink sink) {
        sinks.remove(sink);
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "desk web: closing a dead event stream: {0}", e.getClass().getName());
        }
    }

    private void closeAll() {
        LOG.log(Level.WARNING, "desk web: more than {0} events waiting; closing {1} event streams (they reconnect)",
                new Object[] {MAX_BACKLOG, sinks.size()});
        sinks.forEach(this::drop);
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "desk web: closing the desk subscription: {0}", e.getClass().getName());
        }
        thread.shutdownNow();
        sinks.forEach(this::drop);
    }
}
