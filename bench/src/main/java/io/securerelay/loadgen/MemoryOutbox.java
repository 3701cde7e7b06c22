package io.securerelay.loadgen;

import io.securerelay.client.internal.Outbox;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A customer's outbox for the desk scenario, in memory: the generator measures the desk, not its
 * own disk ({@code FileOutbox} fsyncs every message). Same contract as the client's: numbers from 1,
 * never reused, pending until acknowledged. Called on the conversation's loop only.
 */
final class MemoryOutbox implements Outbox {

    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private long nextOut = 1;
    private long ackedOut;
    private long lastIn;

    @Override
    public String describe() {
        return "in-memory outbox (bench)";
    }

    @Override
    public Pending enqueue(String text, long sentAtMillis) {
        Pending p = new Pending(nextOut++, sentAtMillis, text);
        pending.put(p.number(), p);
        return p;
    }

    @Override
    public void acknowledged(long upTo) {
        if (upTo <= ackedOut) {
            return;
        }
        ackedOut = Math.min(upTo, nextOut - 1);
        pending.headMap(ackedOut + 1).clear();
    }

    @Override
    public void delivered(long n, long sentAtMillis, String text) {
        lastIn = n;
    }

    @Override
    public SortedMap<Long, Pending> pending() {
        return Collections.unmodifiableSortedMap(pending);
    }

    @Override
    public long nextOut() {
        return nextOut;
    }

    @Override
    public long ackedOut() {
        return ackedOut;
    }

    @Override
    public long lastIn() {
        return lastIn;
    }
}
