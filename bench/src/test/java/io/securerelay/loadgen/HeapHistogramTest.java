package io.securerelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapHistogramTest {

    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000         100000  [B (java.base@17.0.15)
               2:            10            400  java.lang.String (java.base@17.0.15)
               3:             5            200  org.example.Gone
            Total          1015         100600
            """;

    private static final String AFTER = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          3000         500000  [B (java.base@17.0.15)
               2:           200          20000  org.glassfish.grizzly.http.util.ByteChunk
               3:            10            400  java.lang.String (java.base@17.0.15)
            Total          3210         520400
            """;

    @Test
    void growthPerConnectionLargestFirstIgnoringWhatDidNotGrow() {
        List<HeapHistogram.Growth> g = HeapHistogram.parse(AFTER).growthSince(HeapHistogram.parse(BEFORE), 100);
        assertEquals(2, g.size(), "String did not grow, Gone shrank: neither is listed");
        assertEquals("[B", g.get(0).className());
        assertEquals(4000.0, g.get(0).bytes());
        assertEquals(20.0, g.get(0).instances());
        assertEquals("org.glassfish.grizzly.http.util.ByteChunk", g.get(1).className());
        assertEquals(200.0, g.get(1).bytes());
        assertEquals(2.0, g.get(1).instances());
    }

    @Test
    void tableStatesTheTotalPerConnection() {
        String t = HeapHistogram.parse(AFTER).growthTable(HeapHistogram.parse(BEFORE), 100, 1);
        assertTrue(t.contains("100 connections): 4200 bytes"), t);
        assertTrue(t.contains("[B") && !t.contains("ByteChunk"), "only the top line: " + t);
    }
}
