package io.securerelay.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void durationsAndIntervalsParseAsDocumented() {
        assertEquals(Duration.ofMillis(250), Main.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(30), Main.parseDuration("30s"));
        assertEquals(Duration.ofMinutes(10), Main.parseDuration("10m"));
        assertArrayEquals(new Duration[] {Duration.ofSeconds(30), Duration.ofSeconds(90)}, Main.parseInterval("30s..90s"));
        assertArrayEquals(new Duration[] {Duration.ZERO, Duration.ZERO}, Main.parseInterval("off"));
        assertThrows(IllegalArgumentException.class, () -> Main.parseDuration("soon"));
        assertThrows(IllegalArgumentException.class, () -> Main.parseInterval("30s"));
    }

    @Test
    void logLevelsMapToJul() {
        assertEquals(Level.FINE, Main.parseLevel("debug"));
        assertEquals(Level.WARNING, Main.parseLevel("WARN"));
        assertThrows(IllegalArgumentException.class, () -> Main.parseLevel("LOUD"));
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(ExitCodes.USAGE, Main.execute("teller"));
        assertEquals(ExitCodes.USAGE, Main.execute());
        assertEquals(ExitCodes.USAGE, Main.execute("bank", "--peer", "not-an-id"));
        assertEquals(ExitCodes.USAGE, Main.execute("bank", "--dummy-interval", "9s..1s"));
        assertEquals(ExitCodes.USAGE, Main.execute("bank", "--client-cert-password-env", "X"),
                "a client certificate password without --client-cert");
        assertEquals(ExitCodes.USAGE, Main.execute("bank", "--client-cert", "bank.p12",
                "--client-cert-password-env", "X", "--client-cert-password-file", "bank.pass"), "two passwords");
        assertEquals(ExitCodes.OK, Main.execute("--help"));
    }
}
