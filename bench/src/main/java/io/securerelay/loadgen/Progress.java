package io.securerelay.loadgen;

import java.io.PrintStream;

/** Progress of a long run, one line a second on stderr (so stdout keeps only results). */
final class Progress {

    private final PrintStream out;
    private final boolean quiet;

    Progress(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    void tick(String line) {
        if (!quiet) {
            out.println("  .. " + line);
        }
    }

    void step(String line) {
        out.println("bench: " + line);
    }
}
