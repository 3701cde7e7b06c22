package io.securerelay.keystore;

import io.securerelay.identity.KeyFileException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the key file and the storage secret file are checked for when they are read: accessible by
 * their owner only (on POSIX file systems; like ssh's private keys, any group or other permission
 * is refused; elsewhere there is nothing to check), their {@code version}, and scrypt costs a
 * tampered file could use to exhaust the loader.
 */
final class KeyFileChecks {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFileChecks() {
    }

    /**
     * {@link #ownerOnly} then the file's bytes (the caller wipes them).
     * @throws KeyFileException "cannot read the WHAT", or the refusal of {@link #ownerOnly}
     */
    static byte[] readOwnerOnly(Path file, String what) throws KeyFileException {
        ownerOnly(file, what);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read " + what);
        }
    }

    /**
     * @throws IOException (a corrupt file) if there is no integral {@code version}
     * @throws KeyFileException if it is another version than {@code version}; the file is left as it is
     */
    static void version(Path file, JsonObject json, String what, int version) throws IOException, KeyFileException {
        JsonValue v = json.get("version");
        if (!(v instanceof JsonNumber) || !((JsonNumber) v).isIntegral()) {
            throw new IOException("no numeric \"version\"");
        }
        if (!((JsonNumber) v).bigIntegerValue().equals(BigInteger.valueOf(version))) {
            throw new KeyFileException(file, what + " has version " + v + ", this program reads only version "
                    + version + " (written by a newer secure-relay?); the file was left as it is");
        }
    }

    /**
     * Whether scrypt costs read from a file are within what loading accepts: N at most
     * {@link IdentityKeyFiles#MAX_SCRYPT_N}, r at most 32, p at most 16, memory 128·N·r and work
     * N·r·p within {@link IdentityKeyFiles#MAX_SCRYPT_MEMORY} and {@link IdentityKeyFiles#MAX_SCRYPT_WORK}.
     * The caller has checked that they are positive and small enough for a {@code long}.
     */
    static boolean scryptCostAcceptable(long n, long r, long p) {
        return n <= IdentityKeyFiles.MAX_SCRYPT_N && r <= 32 && p <= 16
                && 128 * n * r <= IdentityKeyFiles.MAX_SCRYPT_MEMORY && n * r * p <= IdentityKeyFiles.MAX_SCRYPT_WORK;
    }

    /**
     * @param what e.g. "identity key file", for the message
     * @throws KeyFileException naming the file, its permissions and the command that fixes them, if
     *         group or others have any permission on it; the file is not read nor changed
     */
    static void ownerOnly(Path file, String what) throws KeyFileException {
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
