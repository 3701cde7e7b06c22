package io.securerelay.keystore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Owner-only, atomic file writes, for key files and for any other state that must survive a crash
 * whole or not at all (the client's outbox). Public API of crypto-ejb.
 *
 * <p>Guarantees: a reader sees the old content or the new content, never a part; the file (and a
 * directory created for it) is owner-only ({@code rw-------}, {@code rwx------}) on POSIX file
 * systems from the moment it exists; with {@code replace == false} an existing file is never
 * replaced, even by a writer racing with another one: exactly one of them creates the file, the
 * other gets {@link FileAlreadyExistsException} and the file keeps the winner's content.
 *
 * <p>How: the content goes to a temporary file in the same directory (created {@code rw-------}),
 * is forced to the disk, and then becomes the target by an atomic rename ({@code ATOMIC_MOVE},
 * replacing) or by a hard link ({@link Files#createLink}, which fails if the target exists: no
 * check-then-rename window). On a file system without hard links the never-replace write opens
 * the target with {@code CREATE_NEW} and writes it in place (a crash may then leave a partial file,
 * which the key file reader refuses as corrupt rather than overwriting).
 */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> FILE_600 = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_700 = PosixFilePermissions.fromString("rwx------");

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to {@code target} atomically and durably (forced to the disk).
     * @param replace false: never replace an existing file (fails with {@link FileAlreadyExistsException})
     * @throws FileAlreadyExistsException if {@code replace} is false and the target exists
     * @throws IOException if the directory or the file cannot be written
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
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(ch, content, sync);
            }
            if (replace) {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } else {
                createWithoutReplacing(tmp, abs, content, attrs);
            }
        } finally {
            Files.deleteIfExists(tmp); // after the rename it is gone; after the link it is the second name
        }
    }

    /** Makes {@code target} a second name of the complete {@code tmp}: fails if {@code target} exists. */
    private static void createWithoutReplacing(Path tmp, Path target, byte[] content, FileAttribute<?>[] attrs)
            throws IOException {
        try {
            Files.createLink(target, tmp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // No hard links here (some network or FAT file systems): CREATE_NEW below, still never replacing.
        }
        try (FileChannel ch = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attrs)) {
            try {
                writeAll(ch, content, true);
            } catch (IOException e) {
                Files.deleteIfExists(target); // ours: created by this call
                throw e;
            }
        }
    }

    private static void writeAll(FileChannel ch, byte[] content, boolean sync) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        if (sync) {
            ch.force(true);
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
