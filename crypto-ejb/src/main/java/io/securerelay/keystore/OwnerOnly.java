package io.securerelay.keystore;

import io.securerelay.identity.KeyFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The check made before a secret file is read: on a POSIX file system it must be accessible by its
 * owner only (like ssh's private keys, any group or other permission is refused). On a file system
 * without POSIX permissions there is nothing to check.
 */
final class OwnerOnly {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnly() {
    }

    /**
     * @param what e.g. "identity key file", for the message
     * @throws KeyFileException naming the file, its permissions and the command that fixes them, if
     *         group or others have any permission on it; the file is not read nor changed
     */
    static void check(Path file, String what) throws KeyFileException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return; // not a POSIX file system (e.g. FAT, Windows): nothing to check
        }
        Set<PosixFilePermission> perms;
        try {
            java.nio.file.attribute.PosixFileAttributes attrs = view.readAttributes();
            if (!attrs.isRegularFile()) {
                return; // a directory or a device: reading it fails with its own message
            }
            perms = attrs.permissions();
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read the permissions of the " + what);
        }
        if (!java.util.Collections.disjoint(perms, GROUP_OR_OTHERS)) {
            throw new KeyFileException(file, "the " + what + " is accessible by other users (permissions "
                    + PosixFilePermissions.toString(perms) + "); refusing to use it: make it private with"
                    + " chmod 600 " + file.toAbsolutePath() + " (and check nobody copied it)");
        }
    }
}
