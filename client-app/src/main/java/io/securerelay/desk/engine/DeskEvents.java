package io.securerelay.desk.engine;

import io.securerelay.desk.DeskEvent;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Live events to subscribers (the REST API's SSE streams), in order, on one thread of their own so
 * that a slow subscriber never holds up a conversation. An event is only built when someone listens.
 */
final class DeskEvents implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeskEvents.class.getName());

    private final CopyOnWriteArrayList<Consumer<DeskEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "desk-events");
        t.setDaemon(true);
        return t;
    });

    AutoCloseable subscribe(Consumer<DeskEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    boolean listened() {
        return !listeners.isEmpty();
    }

    /** Builds the event on the events thread (it may read the database) and hands it to every listener. */
    void publish(Supplier<DeskEvent> event) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            thread.execute(() -> {
                DeskEvent e;
                try {
                    e = event.get();
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "a live event could not be built: {0}", ex.toString());
                    return;
                }
                if (e == null) {
                    return;
                }
                for (Consumer<DeskEvent> l : listeners) {
                    try {
                        l.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.log(Level.WARNING, "a live event listener failed: {0}", ex.toString());
                    }
                }
            });
        } catch (RejectedExecutionException closed) {
            // the desk is stopping
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
