package io.securerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the fuzz targets of file parsers share: a scratch directory, the "left as it was" check, fixed randomness. */
public final class FuzzFiles {
    private FuzzFiles() {
    }

    /** @return a new empty directory under the module's {@code target/} */
    public static Path newDirectory(String prefix) throws IOException {
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        return Files.createTempDirectory(target, prefix);
    }

    /**
     * Writes {@code content} to {@code file} readable by its owner only (on POSIX file systems), as the
     * product writes its secret files: the key file loaders refuse a file that others can read.
     */
    public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
    }

    /**
     * Asserts that {@code file} still holds exactly {@code written} and is the only file in its
     * directory (nothing was regenerated, replaced, deleted or written beside it), then deletes it.
     */
    public static void assertLeftAsWrittenThenDelete(Path file, byte[] written) throws IOException {
        assertArrayEquals(written, Files.readAllBytes(file), "the file was changed");
        try (Stream<Path> s = Files.list(file.getParent())) {
            List<Path> files = s.collect(Collectors.toList());
            assertEquals(List.of(file), files, "files written beside " + file.getFileName());
        }
        Files.delete(file);
    }

    /** @return randomness giving the same bytes in every run (SHA1PRNG seeded before first use), for reproducible keys */
    public static SecureRandom seededRandom(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA1PRNG is in every JDK", e);
        }
    }
}
