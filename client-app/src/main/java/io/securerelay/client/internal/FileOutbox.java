package io.securerelay.client.internal;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.keystore.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must survive a crash or restart of the client, in {@code <key-dir>/<role>_conversation/}:
 *
 * <ul>
 *   <li>{@code counters}: the next number to give an outgoing message, the highest number the
 *       peer acknowledged, and the highest number delivered in order from the peer (not secret);
 *   <li>{@code out-<n>.sealed}: every outgoing message the peer has not acknowledged, encrypted
 *       with AES-256-GCM under a key derived from the storage secret (see
 *       {@code io.securerelay.keystore.StorageSecret}); deleted once acknowledged. A message sealed by
 *       an older version under the key derived from the identity key is read with that key once and
 *       sealed again under the storage key (read old, write new).
 * </ul>
 *
 * Every write is atomic and owner-only. A file that does not decrypt or parse is reported with
 * its name and left untouched. Not thread-safe: the conversation's single thread owns it.
 */
public final class FileOutbox implements Outbox {



    private static final Pattern OUT_FILE = Pattern.compile("out-(\\d{1,19})\\.sealed");
    private static final byte[] AAD_PREFIX = "secure-relay/outbox/v1|".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;
    private final String role;
    private final AesGcm aead;
    private final AesGcm legacyAead; // null, or the old identity-derived key: read only, then sealed again
    private final SecureRandom random;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private long nextOut = 1;
    private long ackedOut;
    private long lastIn;

    private FileOutbox(Path dir, String role, AesGcm aead, AesGcm legacyAead, SecureRandom random) {
        this.dir = dir;
        this.role = role;
        this.aead = aead;
        this.legacyAead = legacyAead;
        this.random = random;
    }

    /** Opens (or starts) the store of {@code role} in {@code keyDir}. */
    public static FileOutbox open(Path keyDir, String role, SecretBytes key, SecureRandom random)
            throws StoreException {
        return open(keyDir, role, key, null, random);
    }

    /**
     * Opens (or starts) the store of {@code role} in {@code keyDir}; a message that does not open
     * under {@code key} but does under {@code legacyKey} (the identity-derived key of versions before
     * the storage secret) is sealed again under {@code key}, so it is read with the old key only once.
     * @param legacyKey null when nothing can have been sealed under the old derivation
     */
    public static FileOutbox open(Path keyDir, String role, SecretBytes key, SecretBytes legacyKey,
            SecureRandom random) throws StoreException {
        FileOutbox s = new FileOutbox(keyDir.resolve(role + "_conversation"), role,
                AesGcm.create(key), legacyKey == null ? null : AesGcm.create(legacyKey), random);
        s.load();
        return s;
    }

    /** The directory of this store. */
    public Path directory() {
        return dir;
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    /** Stores {@code text} as the next outgoing message and returns its number. */
    @Override
    public Pending enqueue(String text, long sentAtMillis) throws IOException {
        long n = nextOut;
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] plain = ByteBuffer.allocate(8 + utf8.length).putLong(sentAtMillis).put(utf8).array();
        AtomicFiles.write(dir.resolve("out-" + n + ".sealed"), seal(n, plain), false);
        nextOut = n + 1;
        writeCounters(true); // a number must never be given twice, even after a power cut
        Pending p = new Pending(n, sentAtMillis, text);
        pending.put(n, p);
        return p;
    }

    /** The peer acknowledged every message up to {@code upTo}: forget them. */
    @Override
    public void acknowledged(long upTo) throws IOException {
        if (upTo <= ackedOut) {
            return;
        }
        ackedOut = Math.min(upTo, nextOut - 1);
        writeCounters(false); // lagging after a power cut only means resends the peer ignores
        SortedMap<Long, Pending> done = pending.headMap(ackedOut + 1);
        for (Long n : done.keySet()) {
            Files.deleteIfExists(dir.resolve("out-" + n + ".sealed"));
        }
        done.clear();
    }

    @Override
    public void delivered(long n, long sentAtMillis, String text) throws IOException {
        lastIn = n;
        writeCounters(false); // lagging after a power cut only means resends shown again
    }

    /** Unacknowledged outgoing messages, by number. */
    @Override
    public SortedMap<Long, Pending> pending() {
        return Collections.unmodifiableSortedMap(pending);
    }

    @Override
    public long nextOut() {
        return nextOut;
    }

    @Override
    public long ackedOut() {
        return ackedOut;
    }

    @Override
    public long lastIn() {
        return lastIn;
    }

    private byte[] seal(long n, byte[] plain) {
        byte[] nonce = new byte[AesGcm.NONCE_LEN];
        random.nextBytes(nonce);
        byte[] sealed = aead.seal(nonce, plain, aad(n));
        return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    }

    private byte[] aad(long n) {
        byte[] r = (role + "|" + n).getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(AAD_PREFIX.length + r.length).put(AAD_PREFIX).put(r).array();
    }

    private void writeCounters(boolean sync) throws IOException {
        String text = "nextOut=" + nextOut + "\nackedOut=" + ackedOut + "\nlastIn=" + lastIn + "\n";
        AtomicFiles.write(dir.resolve("counters"), text.getBytes(StandardCharsets.US_ASCII), true, sync);
    }

    private void load() throws StoreException {
        Path counters = dir.resolve("counters");
        try {
            for (String line : Files.readAllLines(counters, StandardCharsets.US_ASCII)) {
                String[] kv = line.split("=", 2);
                long v = Long.parseLong(kv[1].trim());
                switch (kv[0]) {
                    case "nextOut" -> nextOut = v;
                    case "ackedOut" -> ackedOut = v;
                    case "lastIn" -> lastIn = v;
                    default -> throw new NumberFormatException(kv[0]);
                }
            }
        } catch (NoSuchFileException e) {
            return; // a new conversation
        } catch (IOException | RuntimeException e) {
            throw new Outbox.StoreException("the conversation state " + counters + " is unreadable or corrupt;"
                    + " it was left as it is (move the folder aside to start a new conversation)");
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "out-*.sealed")) {
            for (Path f : files) {
                Matcher m = OUT_FILE.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long n = Long.parseLong(m.group(1));
                if (n <= ackedOut) {
                    Files.deleteIfExists(f); // acknowledged, deletion interrupted by a crash
                    continue;
                }
                pending.put(n, decrypt(f, n));
                nextOut = Math.max(nextOut, n + 1);
            }
        } catch (IOException e) {
            throw new Outbox.StoreException("cannot read the outbox " + dir + ": " + e.getMessage());
        }
    }

    private Pending decrypt(Path f, long n) throws StoreException, IOException {
        byte[] all = Files.readAllBytes(f);
        if (all.length < AesGcm.NONCE_LEN + AesGcm.TAG_LEN + 8) {
            throw new Outbox.StoreException("outbox message " + f + " is truncated; it was left as it is");
        }
        byte[] nonce = java.util.Arrays.copyOf(all, AesGcm.NONCE_LEN);
        byte[] sealed = java.util.Arrays.copyOfRange(all, AesGcm.NONCE_LEN, all.length);
        try {
            byte[] opened;
            try {
                opened = aead.open(nonce, sealed, aad(n));
            } catch (AuthenticationFailedException e) {
                if (legacyAead == null) {
                    throw e;
                }
                opened = legacyAead.open(nonce, sealed, aad(n));
                AtomicFiles.write(f, seal(n, opened), true); // read old, write new: the old key is not needed again
            }
            ByteBuffer plain = ByteBuffer.wrap(opened);
            long sentAt = plain.getLong();
            byte[] utf8 = new byte[plain.remaining()];
            plain.get(utf8);
            return new Pending(n, sentAt, new String(utf8, StandardCharsets.UTF_8));
        } catch (AuthenticationFailedException e) {
            throw new Outbox.StoreException("outbox message " + f + " does not decrypt with this identity's storage key"
                    + " (tampered with, or written under another identity or storage secret); it was left as it is");
        }
    }
}
