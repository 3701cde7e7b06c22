package io.securerelay.relay.admin;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * A salted, memory-hard password hash in one self-describing string:
 * <pre>scrypt$N$r$p$salt$hash</pre>
 * N, r, p in decimal, salt (16 bytes) and hash (32 bytes) in unpadded URL-safe base64: no character
 * that a shell, an asadmin command or a {@code -D} option treats specially except {@code $}, which
 * needs single quotes in a shell. {@link #DEFAULT}: N=2^15, r=8, p=1 (32 MiB, about 0.1 s here).
 * Immutable; {@link #matches} compares in constant time. {@link #main} prints the hash of a password
 * read from the terminal or from standard input (the launcher's {@code ./secure-relay admin-password}).
 */
public final class PasswordHash {
    /** The cost for new hashes. */
    public static final int DEFAULT_N = 1 << 15;
    public static final int DEFAULT_R = 8;
    public static final int DEFAULT_P = 1;
    private static final int SALT_LEN = 16;
    private static final int HASH_LEN = 32;
    /** Parsing refuses costs a typo or a hostile setting could use to exhaust the relay: at most 256 MiB. */
    private static final long MAX_MEMORY = 256L << 20;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final int n;
    private final int r;
    private final int p;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int n, int r, int p, byte[] salt, byte[] hash) {
        this.n = n;
        this.r = r;
        this.p = p;
        this.salt = salt;
        this.hash = hash;
    }

    /** @return the hash of {@code password} with a fresh salt and the default cost */
    public static PasswordHash create(char[] password, SecureRandom random) {
        byte[] salt = new byte[SALT_LEN];
        random.nextBytes(salt);
        return new PasswordHash(DEFAULT_N, DEFAULT_R, DEFAULT_P, salt, derive(password, salt, DEFAULT_N, DEFAULT_R, DEFAULT_P));
    }

    /**
     * @throws IllegalArgumentException with a sentence for the operator, naming no part of the value,
     *         if {@code encoded} is not {@code scrypt$N$r$p$salt$hash} with N a power of two, a cost
     *         within 256 MiB, a salt of at least 16 bytes and a 32-byte hash
     */
    public static PasswordHash parse(String encoded) {
        String[] f = encoded == null ? new String[0] : encoded.trim().split("\\$", -1);
        if (f.length != 6 || !f[0].equals("scrypt")) {
            throw new IllegalArgumentException("not a password hash of the form scrypt$N$r$p$salt$hash");
        }
        int n;
        int r;
        int p;
        byte[] salt;
        byte[] hash;
        try {
            n = Integer.parseInt(f[1]);
            r = Integer.parseInt(f[2]);
            p = Integer.parseInt(f[3]);
            salt = Base64.getUrlDecoder().decode(f[4]);
            hash = Base64.getUrlDecoder().decode(f[5]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a password hash of the form scrypt$N$r$p$salt$hash (a number or"
                    + " the base64 does not parse)");
        }
        if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 || r > 32 || p > 16 || 128L * n * r > MAX_MEMORY) {
            throw new IllegalArgumentException("scrypt cost out of range (N a power of two, 128*N*r at most 256 MiB,"
                    + " r at most 32, p at most 16)");
        }
        if (salt.length < SALT_LEN || hash.length != HASH_LEN) {
            throw new IllegalArgumentException("the salt must have at least " + SALT_LEN + " bytes and the hash "
                    + HASH_LEN);
        }
        return new PasswordHash(n, r, p, salt, hash);
    }

    /** Whether {@code password} hashes to this hash: one scrypt, compared in constant time. */
    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, n, r, p));
    }

    /** @return {@code scrypt$N$r$p$salt$hash} */
    public String encoded() {
        return "scrypt$" + n + "$" + r + "$" + p + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** Shows the cost only. */
    @Override
    public String toString() {
        return "PasswordHash[scrypt N=" + n + " r=" + r + " p=" + p + "]";
    }

    private static byte[] derive(char[] password, byte[] salt, int n, int r, int p) {
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[utf8.remaining()];
        utf8.get(pw);
        try {
            return SCrypt.generate(pw, salt, n, r, p, HASH_LEN);
        } finally {
            Arrays.fill(pw, (byte) 0);
            if (utf8.hasArray()) {
                Arrays.fill(utf8.array(), (byte) 0);
            }
        }
    }

    /**
     * Prints the hash of a password for {@code relay.admin.password-hash}: asked twice on the terminal,
     * or read as the first line of standard input when there is no terminal. Exit 1 on no password or
     * a mismatch.
     */
    public static void main(String[] args) throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("Admin console password: ");
            char[] again = console.readPassword("The same again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                System.err.println("the two passwords differ; nothing printed");
                System.exit(1);
                return;
            }
            Arrays.fill(again, '\0');
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            System.err.println("no password given; nothing printed");
            System.exit(1);
            return;
        }
        System.out.println(create(password, new SecureRandom()).encoded());
        Arrays.fill(password, '\0');
    }
}
