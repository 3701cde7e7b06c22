package io.securerelay.protocol.internal;

/**
 * Sliding anti-replay window over 64-bit sequence numbers (RFC 4303 §3.4.3 semantics, RFC 6479
 * ring-of-words layout): accepts any sequence number above the highest seen and any of the
 * {@value #WINDOW} numbers ending at the highest that was not seen yet. Memory is constant
 * (17 longs), whatever the traffic. {@link #check} never changes state; {@link #commit} does,
 * and is called only after the message was authenticated and decrypted.
 * Not thread-safe (the session serialises access).
 */
public final class ReplayWindow {
    /** Window size in sequence numbers. */
    public static final int WINDOW = 1024;
    private static final int WORDS = WINDOW / 64 + 1; // one spare word: RFC 6479
    private final long[] bits = new long[WORDS];
    private long highest = -1; // none seen yet; sequence numbers are 0..2^63-1

    /** Result of a {@link #check}. */
    public enum Verdict { FRESH, DUPLICATE, TOO_OLD }

    /** @return whether {@code seq} (&gt;= 0) would be accepted; no state change. */
    public Verdict check(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number");
        }
        if (seq > highest) {
            return Verdict.FRESH;
        }
        if (highest - seq >= WINDOW) {
            return Verdict.TOO_OLD;
        }
        return (bits[index(seq)] & bit(seq)) != 0 ? Verdict.DUPLICATE : Verdict.FRESH;
    }

    /** Marks {@code seq} as received; {@link #check} must have returned FRESH for it. */
    public void commit(long seq) {
        if (check(seq) != Verdict.FRESH) {
            throw new IllegalStateException("commit of a non-fresh sequence number");
        }
        if (seq > highest) {
            long newBlock = seq >>> 6;
            long oldBlock = highest < 0 ? -1 : highest >>> 6;
            long steps = Math.min(newBlock - oldBlock, WORDS);
            for (long i = 1; i <= steps; i++) {
                bits[(int) ((newBlock - steps + i) % WORDS)] = 0L; // clear the words that slide in
            }
            highest = seq;
        }
        bits[index(seq)] |= bit(seq);
    }

    /** @return the highest sequence number committed, or -1. */
    public long highest() {
        return highest;
    }

    /** @return the number of longs held (constant; for the memory-bound test). */
    public int footprintWords() {
        return bits.length;
    }

    private static int index(long seq) {
        return (int) ((seq >>> 6) % WORDS);
    }

    private static long bit(long seq) {
        return 1L << (seq & 63);
    }
}
