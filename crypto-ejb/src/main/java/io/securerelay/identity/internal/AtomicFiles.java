package io.securerelay.identity.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Owner-only, atomic file writes: temp file in the same directory, fsync, ATOMIC_MOVE rename. */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> FILE_600 = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_700 = PosixFilePermissions.fromString("rwx------");

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to {@code target} atomically. The temp file gets rw------- when it is
     * created, before any content is written.
     * @param replace false: fail with {@link FileAlreadyExistsException} if the target exists
     */
    public static void write(Path target, byte[] content, boolean replace) throws IOException {
        write(target, content, replace, true);
    }

    /**
     * As {@link #write(Path, byte[], boolean)}; with {@code sync} false the content is not forced
     * to the disk before the rename: still atomic for readers and safe when the process dies, but
     * an operating-system crash may leave the previous version. For state that may lag, not lead.
     */
    public static void write(Path target, byte[] content, boolean replace, boolean sync) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        boolean posix = Files.getFileStore(existingAncestor(dir)).supportsFileAttributeView("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_700));
            } else {
                Files.createDirectories(dir);
            }
        }
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_600)}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp", attrs);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (sync) {
                    ch.force(true);
                }
            }
            if (!replace && Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(abs.toString());
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? dir.getRoot() : p;
    }
}
