package io.securerelay.desk.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The desk's API token: what a back-office client sends as {@code Authorization: Bearer <token>} and what
 * an agent types on the GUI's login page. Only its SHA-256 is kept; {@link #matches} compares in constant
 * time. It comes from the environment ({@link #ENV}) or from a token file, created owner-only with 256
 * random bits when missing. No {@code toString} reveals it.
 */
public final class ApiToken {

    /** The environment variable that holds the token (it wins over the file). */
    public static final String ENV = "DESK_API_TOKEN";
    /** A token shorter than this (about 128 bits of base64) is refused. */
    public static final int MIN_LENGTH = 22;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] digest;

    private ApiToken(String token) {
        if (token == null || token.length() < MIN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("an API token is at least " + MIN_LENGTH
                    + " printable ASCII characters without spaces");
        }
        this.digest = sha256(token);
    }

    /** @throws IllegalArgumentException if {@code token} is too short or not printable ASCII */
    public static ApiToken of(String token) {
        return new ApiToken(token);
    }

    /** A token read from a file, or created in it: {@code created} is true when it was just made (print it once). */
    public record Loaded(ApiToken token, boolean created, String secretIfCreated) {
        @Override
        public String toString() {
            return "Loaded[created=" + created + "]";
        }
    }

    /**
     * The token of the environment variable {@link #ENV} if it is set, else of {@code file}; creates the
     * file (owner-only, 256 random bits, base64url) when it does not exist. A token file readable by group
     * or others is refused.
     * @throws IOException if the file cannot be read or created, or is open to others
     * @throws IllegalArgumentException if {@link #ENV} holds a token that is too short
     */
    public static Loaded load(Path file, SecureRandom random) throws IOException {
        return load(System.getenv(ENV), file, random);
    }

    /** {@link #load(Path, SecureRandom)} with the environment variable's value given (null if unset): for tests. */
    static Loaded load(String env, Path file, SecureRandom random) throws IOException {
        if (env != null && !env.isBlank()) {
            return new Loaded(of(env.strip()), false, null);
        }
        if (!Files.exists(file)) {
            byte[] bits = new byte[32];
            random.nextBytes(bits);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
                return new Loaded(of(token), true, token);
            } catch (FileAlreadyExistsException raced) {
                // another process made it meanwhile: read that one
            }
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> !OWNER_ONLY.contains(p) && p != PosixFilePermission.OWNER_EXECUTE)) {
            throw new IOException("the API token file " + file + " is open to others ("
                    + PosixFilePermissions.toString(perms) + "): chmod 600 it");
        }
        try {
            return new Loaded(of(Files.readString(file, StandardCharsets.US_ASCII).strip()), false, null);
        } catch (IllegalArgumentException e) {
            throw new IOException("the API token file " + file + " holds no usable token: " + e.getMessage(), e);
        }
    }

    /** Whether {@code candidate} is this token; constant time (digests compared with {@link MessageDigest#isEqual}). */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(candidate));
    }

    @Override
    public String toString() {
        return "ApiToken[redacted]";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is in every JDK", e);
        }
    }
}
