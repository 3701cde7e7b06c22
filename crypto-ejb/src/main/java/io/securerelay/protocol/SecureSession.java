package io.securerelay.protocol;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.AlteredInTransitException;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.P256;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.identity.Fingerprints;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Padding;
import io.securerelay.protocol.internal.ReplayWindow;
import io.securerelay.protocol.internal.Wire;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * An established end-to-end session (from a COMPLETE {@link Handshake}). Pure: bytes in, bytes out.
 * <ul>
 * <li>{@link #seal} pads the body (Padmé, kind inside the ciphertext), encrypts it with AES-256-GCM
 * under the current send key with nonce = IV XOR seq, binds header and transcript hash as AAD, and
 * signs header||ciphertext with our identity key (ECDSA P-256, deterministic RFC 6979, raw r||s): sealing
 * takes no randomness.</li>
 * <li>{@link #open} checks the cheap things first: the AES-GCM tag (a failure is
 * {@link AlteredInTransitException}: the relay or the network altered the frame, no ECDSA is spent
 * on it), then freshness (replay window) and the inner layout, then the peer's signature, and only
 * then commits the replay window and key epoch. A rejected message leaves the session exactly as it
 * was (a relay that forges or replays cannot tear the session down, and the next authentic message
 * still opens).</li>
 * <li>Rekeying: the sender ratchets (new key = HKDF-Expand(old, "sr-e2e v1 rekey")) after
 * {@link SessionPolicy#rekeyAfterMessages()} messages or {@link SessionPolicy#rekeyAfterTime()}, and
 * wipes the old key. The receiver follows the epoch in the header, keeps exactly one previous
 * epoch key so that messages reordered across one boundary still open, and refuses older epochs.</li>
 * </ul>
 * Thread-safe: sending and receiving are serialised separately.
 */
public final class SecureSession implements AutoCloseable {
    /** Largest body {@link #seal} accepts (1 MiB). */
    public static final int MAX_BODY = Padding.MAX_BODY;
    /** Largest forward epoch jump the receiver follows in one message. */
    static final int MAX_EPOCH_JUMP = 1024;

    /** Session states. */
    public enum State { ESTABLISHED, CLOSED }

    private final Role role;
    private final IdentityKeyPair identity;
    private final IdentityPublicKey peer;
    private final byte[] transcriptHash;
    private final SessionPolicy policy;
    private final Clock clock;
    private final byte[] sendDir;
    private final byte[] recvDir;
    private final Object sendLock = new Object();
    private final Object recvLock = new Object();
    private volatile State state = State.ESTABLISHED;

    // send side
    private SecretBytes sendKey;
    private AesGcm sendAead;
    private final byte[] sendIv;
    private int sendEpoch;
    private long sendSeq;
    private int sentInEpoch;
    private Instant sendEpochStart;

    // receive side
    private final byte[] recvIv;
    private final ReplayWindow window = new ReplayWindow();
    private int recvEpoch;
    private EpochKeys recv;
    private EpochKeys prevRecv; // epoch recvEpoch - 1, or null

    SecureSession(Role role, IdentityKeyPair identity, IdentityPublicKey peer, byte[] transcriptHash,
            SecretBytes sendKey, byte[] sendIv, SecretBytes recvKey, byte[] recvIv,
            SessionPolicy policy, Clock clock) {
        this.role = role;
        this.identity = identity;
        this.peer = peer;
        this.transcriptHash = transcriptHash.clone();
        this.sendKey = sendKey;
        this.sendAead = AesGcm.create(sendKey);
        this.sendIv = sendIv;
        this.recv = new EpochKeys(recvKey, null);
        this.recvIv = recvIv;
        this.policy = policy;
        this.clock = clock;
        this.sendEpochStart = clock.instant();
        boolean init = role == Role.INITIATOR;
        this.sendDir = init ? KeySchedule.DIR_I2R : KeySchedule.DIR_R2I;
        this.recvDir = init ? KeySchedule.DIR_R2I : KeySchedule.DIR_I2R;
    }

    /**
     * Seals one message.
     * @param kind TEXT, DUMMY (cover traffic) or ACK
     * @param body at most {@link #MAX_BODY} bytes (not modified)
     * @return the relay payload: header | AES-GCM ciphertext | ECDSA signature
     * @throws IllegalArgumentException if the body is too large
     * @throws IllegalStateException if the session is closed or the sequence space is exhausted
     */
    public byte[] seal(MessageKind kind, byte[] body) {
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
        }
        synchronized (sendLock) {
            checkOpen();
            if (sendSeq == Long.MAX_VALUE) {
                throw new IllegalStateException("sequence numbers exhausted: start a new session");
            }
            maybeRekeySend();
            long seq = sendSeq;
            byte[] header = Wire.dataHeader(sendEpoch, seq);
            byte[] inner = Padding.encode(kind, body);
            byte[] ct = sendAead.seal(KeySchedule.nonce(sendIv, seq), inner, Wire.concat(header, transcriptHash));
            Arrays.fill(inner, (byte) 0);
            byte[] sig = identity.sign(KeySchedule.MSG, sendDir, transcriptHash, header, ct);
            sendSeq++;
            sentInEpoch++;
            return Wire.concat(header, ct, sig);
        }
    }

    /**
     * Opens one message from the peer. Nothing changes unless it is authentic, fresh and well-formed.
     * The checks run cheapest first, and the session is committed only after all of them:
     * layout and ranges, the AES-GCM tag (which also authenticates the header, bound as AAD), the
     * replay window, the inner layout, and last the peer's ECDSA signature. A forged, corrupted,
     * reflected or foreign frame therefore never costs an ECDSA verification, nor does a replay.
     * @return kind, body and sequence number
     * @throws MalformedMessageException truncated/oversized, wrong version (downgrade), not a data
     *         message, sequence number or epoch out of range, or a bad inner layout
     * @throws AlteredInTransitException the AEAD tag is wrong: altered on the way (relay tampering or
     *         corruption), or not sealed for this session and direction; the signature was not checked
     * @throws AuthenticationFailedException the tag is right but the signature is not the peer's:
     *         "Signature verification failed: message not from &lt;peer fingerprint&gt;"
     * @throws ReplayDetectedException a duplicate, older than the replay window, or of a retired epoch
     *         (a retired epoch's key is gone, so that frame is refused before any check of its tag)
     * @throws IllegalStateException if the session is closed
     */
    public OpenedMessage open(byte[] message)
            throws MalformedMessageException, AuthenticationFailedException, ReplayDetectedException {
        Wire.Data d = Wire.parseData(message);
        synchronized (recvLock) {
            checkOpen();
            long seq = d.seq();
            int epoch = d.epoch();
            if (seq < 0 || epoch < 0) {
                throw new MalformedMessageException("sequence number or epoch out of range");
            }
            EpochKeys candidate = epochKeys(epoch, seq); // not committed
            boolean committed = false;
            try {
                byte[] inner;
                try {
                    inner = candidate.aead.open(KeySchedule.nonce(recvIv, seq), d.ciphertext(),
                            Wire.concat(d.header(), transcriptHash));
                } catch (AuthenticationFailedException e) {
                    throw new AlteredInTransitException("Decryption failed: a message claiming to come from "
                            + peer.fingerprint() + " was altered in transit (relay tampering or corruption)");
                }
                // From here on the header is authentic: sealed under this session's key for this direction.
                Padding.Inner in;
                try {
                    switch (window.check(seq)) {
                        case DUPLICATE:
                            throw new ReplayDetectedException(seq, "duplicate");
                        case TOO_OLD:
                            throw new ReplayDetectedException(seq, "older than the replay window");
                        default:
                            break;
                    }
                    in = Padding.decode(inner);
                } finally {
                    Arrays.fill(inner, (byte) 0);
                }
                try {
                    P256.verify(peer.jcaKey(), d.sig(), KeySchedule.MSG, recvDir, transcriptHash, d.header(),
                            d.ciphertext());
                } catch (AuthenticationFailedException e) {
                    throw e.withMessage("Signature verification failed: message not from " + peer.fingerprint());
                }
                // Commit: all checks passed.
                window.commit(seq);
                if (epoch > recvEpoch) {
                    recv.destroy();
                    if (prevRecv != null) {
                        prevRecv.destroy();
                    }
                    recv = candidate;
                    prevRecv = candidate.previous;
                    recvEpoch = epoch;
                }
                committed = true;
                return new OpenedMessage(in.kind(), in.body(), seq);
            } finally {
                if (!committed && epoch > recvEpoch) {
                    candidate.destroy();
                    if (candidate.previous != null) {
                        candidate.previous.destroy();
                    }
                }
            }
        }
    }

    /**
     * Key and AEAD of one receive epoch: one {@link AesGcm} per epoch, not one per message.
     * {@link #previous} is set only on a candidate derived forward (the epoch before it, to keep).
     */
    private static final class EpochKeys {
        final SecretBytes key;
        final AesGcm aead;
        final EpochKeys previous;

        EpochKeys(SecretBytes key, EpochKeys previous) {
            this.key = key;
            this.aead = AesGcm.create(key);
            this.previous = previous;
        }

        /** Wipes the key bytes; the JCA key object inside {@link #aead} keeps a copy (best effort, see AesGcm). */
        void destroy() {
            key.destroy();
        }
    }

    /** Keys for {@code epoch}: current, previous, or derived forward (uncommitted new objects). */
    private EpochKeys epochKeys(int epoch, long seq) throws ReplayDetectedException, MalformedMessageException {
        if (epoch == recvEpoch) {
            return recv;
        }
        if (epoch == recvEpoch - 1 && prevRecv != null) {
            return prevRecv;
        }
        if (epoch < recvEpoch) {
            throw new ReplayDetectedException(seq, "key epoch " + epoch + " already retired");
        }
        if (epoch - recvEpoch > MAX_EPOCH_JUMP) {
            throw new MalformedMessageException("key epoch jumps too far ahead");
        }
        SecretBytes prev = null;
        SecretBytes k = recv.key;
        for (int e = recvEpoch; e < epoch; e++) {
            SecretBytes next = KeySchedule.rekey(k);
            if (prev != null) {
                prev.destroy();
            }
            prev = (k == recv.key) ? null : k;
            k = next;
        }
        if (prev == null) {
            prev = SecretBytes.wrap(recv.key.toByteArray()); // one step ahead: previous is the current key (owned copy)
        }
        return new EpochKeys(k, new EpochKeys(prev, null));
    }

    private void maybeRekeySend() {
        Instant now = clock.instant();
        if (sentInEpoch >= policy.rekeyAfterMessages()
                || !now.isBefore(sendEpochStart.plus(policy.rekeyAfterTime()))) {
            if (sendEpoch == Integer.MAX_VALUE) {
                throw new IllegalStateException("key epochs exhausted: start a new session");
            }
            SecretBytes next = KeySchedule.rekey(sendKey);
            sendKey.destroy();
            sendKey = next;
            sendAead = AesGcm.create(sendKey);
            sendEpoch++;
            sentInEpoch = 0;
            sendEpochStart = now;
        }
    }

    /** Wipes all keys; later seal/open calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        synchronized (sendLock) {
            synchronized (recvLock) {
                if (state == State.CLOSED) {
                    return;
                }
                state = State.CLOSED;
                sendKey.destroy();
                recv.destroy();
                if (prevRecv != null) {
                    prevRecv.destroy();
                }
                Arrays.fill(sendIv, (byte) 0);
                Arrays.fill(recvIv, (byte) 0);
            }
        }
    }

    private void checkOpen() {
        if (state != State.ESTABLISHED) {
            throw new IllegalStateException("session is closed");
        }
    }

    /** @return ESTABLISHED or CLOSED. */
    public State state() {
        return state;
    }

    /** @return which handshake role this side played. */
    public Role role() {
        return role;
    }

    /** @return the peer's authenticated identity key. */
    public IdentityPublicKey peerIdentity() {
        return peer;
    }

    /** @return the 60-digit safety number of our and the peer's identity keys (same on both sides). */
    public String safetyNumber() {
        return Fingerprints.safetyNumber(identity.publicKey(), peer);
    }

    /** @return a copy of the final handshake transcript hash THF that every message is bound to. */
    public byte[] transcriptHash() {
        return transcriptHash.clone();
    }

    /** @return the current send key epoch. */
    public int sendEpoch() {
        synchronized (sendLock) {
            return sendEpoch;
        }
    }

    /** @return the newest receive key epoch seen. */
    public int receiveEpoch() {
        synchronized (recvLock) {
            return recvEpoch;
        }
    }

    /** @return the next sequence number to send. */
    public long nextSendSeq() {
        synchronized (sendLock) {
            return sendSeq;
        }
    }

    @Override
    public String toString() {
        return "SecureSession[" + role + ", peer " + peer.fingerprint() + ", " + state + "]";
    }
}
