package io.securerelay.desk.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code client-app.jar} (after {@code package}) opens and migrates a desk database on its
 * own: Flyway finds {@code db/migration/desk} and its database plugins (META-INF/services, merged by
 * the ServicesResourceTransformer) inside the jar. Only the probe class comes from the test classes.
 */
class ShadedJarDeskStoreIT {
    @TempDir
    Path dir;

    @Test
    void theShadedJarMigratesAndReopensADeskDatabase() throws Exception {
        String jarProperty = System.getProperty("client.jar");
        // failsafe sets it after package; surefire picks this class only through -Dtest patterns, before the jar exists
        Assumptions.assumeTrue(jarProperty != null, "runs under failsafe (mvn verify), after the shaded jar is built");
        Path jar = Path.of(jarProperty).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the shaded jar is missing: " + jar);
        Path probeClasses = Path.of(ShadedJarProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path out = dir.resolve("probe.out");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar + java.io.File.pathSeparator + probeClasses, ShadedJarProbe.class.getName(),
                dir.resolve("db").toString())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("PROBE nextOut=2 pending=1 flyway=" + jar), text);
        assertTrue(Files.isRegularFile(dir.resolve("db").resolve("desk.mv.db")));
    }
}
