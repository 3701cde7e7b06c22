package io.securerelay.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.Arrays;

/**
 * Structure-aware inputs for fuzz targets whose valid messages are signed or MACed: the fuzzer
 * either hands over raw bytes, or edits a valid message made with fixed keys (flip, overwrite,
 * truncate, extend), so that most inputs get past the first length and type checks and reach the
 * cryptographic and state checks behind them.
 */
public final class Mutations {
    private static final int MAX_EXTENSION = 64;

    private Mutations() {
    }

    /**
     * @return raw bytes from the fuzzer (about one input in eight), or {@code valid} with one to
     *         four edits chosen by the fuzzer, or {@code valid} unchanged when the fuzzer has no
     *         bytes left for an edit (so an empty input stands for the valid message)
     */
    public static byte[] of(FuzzedDataProvider data, byte[] valid) {
        if (data.consumeInt(0, 7) == 7) {
            return data.consumeBytes(valid.length * 2);
        }
        byte[] m = valid.clone();
        int edits = data.consumeInt(1, 4);
        for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 3)) {
                case 0: { // flip bits of one byte
                    if (m.length > 0) {
                        int pos = data.consumeInt(0, m.length - 1);
                        byte mask = data.consumeByte();
                        m[pos] ^= mask == 0 ? 1 : mask;
                    }
                    break;
                }
                case 1: { // overwrite a run of bytes
                    if (m.length > 0) {
                        int pos = data.consumeInt(0, m.length - 1);
                        byte[] run = data.consumeBytes(m.length - pos);
                        System.arraycopy(run, 0, m, pos, run.length);
                    }
                    break;
                }
                case 2: // truncate
                    m = Arrays.copyOf(m, data.consumeInt(0, m.length));
                    break;
                default: { // extend
                    byte[] tail = data.consumeBytes(data.consumeInt(1, MAX_EXTENSION));
                    byte[] longer = Arrays.copyOf(m, m.length + tail.length);
                    System.arraycopy(tail, 0, longer, m.length, tail.length);
                    m = longer;
                    break;
                }
            }
        }
        return m;
    }
}
