package io.securerelay.relay.tyrus;

import java.util.ArrayList;
import java.util.List;

/**
 * The flushes one thread deferred while it handles a read of a relay connection: a read of one
 * client's connection makes the relay send to other connections, and each of those sends is a
 * frame that Tyrus writes and flushes on its own. Inside a read ({@link #enter} to {@link #exit},
 * around {@link RelayUpgradeHandler#onDataAvailable}) a {@link BatchingOutputStream} remembers its
 * flush here instead; when the read has been handled, each stream is flushed once, so the frames
 * one read produced for one receiver leave in one TLS record and one socket write. Not shared
 * between threads: one per thread.
 */
final class FlushBatch {

    private static final ThreadLocal<FlushBatch> CURRENT = ThreadLocal.withInitial(FlushBatch::new);

    private int depth;
    private final List<BatchingOutputStream> deferred = new ArrayList<>();

    private FlushBatch() {
    }

    /** This thread's batch. */
    static FlushBatch current() {
        return CURRENT.get();
    }

    /** A read starts on this thread (reads may nest: a flush can run container code that reads). */
    void enter() {
        depth++;
    }

    /** The read ends; the outermost one flushes every deferred stream. */
    void exit() {
        if (--depth == 0) {
            flushAll();
        }
    }

    /** Whether this thread is inside a read, so that a flush may wait for its end. */
    boolean active() {
        return depth > 0;
    }

    void defer(BatchingOutputStream stream) {
        deferred.add(stream);
    }

    private void flushAll() {
        // A flush may run Tyrus code that writes (a completion that closes a session): that write
        // flushes at once, since depth is 0 here. Index loop: a stream added meanwhile is flushed too.
        for (int i = 0; i < deferred.size(); i++) {
            deferred.get(i).flushDeferred();
        }
        deferred.clear();
    }
}
