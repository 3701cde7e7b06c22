package io.securerelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The desk scenario's in-memory outbox keeps the client's Outbox contract. */
class MemoryOutboxTest {

    @Test
    void numbersFromOneNeverReusedAndPendingUntilAcknowledged() {
        MemoryOutbox o = new MemoryOutbox();
        assertEquals(1, o.enqueue("a", 10).number());
        assertEquals(2, o.enqueue("b", 11).number());
        assertEquals(3, o.enqueue("c", 12).number());
        assertEquals(3, o.pending().size());
        o.acknowledged(2);
        assertEquals(2, o.ackedOut());
        assertEquals(java.util.List.of(3L), java.util.List.copyOf(o.pending().keySet()));
        o.acknowledged(1); // an old acknowledgement changes nothing
        assertEquals(2, o.ackedOut());
        o.acknowledged(99); // never past what was given out
        assertEquals(3, o.ackedOut());
        assertTrue(o.pending().isEmpty());
        assertEquals(4, o.nextOut());
    }

    @Test
    void percentilesOfSortedSamples() {
        double[] s = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, DeskLoad.pct(s, 50));
        assertEquals(10, DeskLoad.pct(s, 99));
        assertTrue(Double.isNaN(DeskLoad.pct(new double[0], 50)));
    }
}
