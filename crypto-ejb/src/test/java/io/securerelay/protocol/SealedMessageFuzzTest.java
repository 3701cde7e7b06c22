package io.securerelay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.fuzz.Mutations;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.protocol.TestSupport.DeterministicRandom;
import io.securerelay.protocol.TestSupport.FakeClock;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Padding;
import io.securerelay.protocol.internal.Wire;
import java.time.Duration;
import java.util.Arrays;

/**
 * Fuzzes {@link SecureSession#open}, the receiving side of every sealed message, on a session
 * built from fixed keys (two messages per key epoch, so four valid messages span two epochs).
 *
 * <p>Two kinds of run, chosen by the fuzzer:
 * <ul>
 * <li>A relay that tampers: up to six messages in a row, each a valid one (in any order, maybe
 * again), a valid one edited by the fuzzer, or raw bytes. Every open returns the message or throws
 * {@link MalformedMessageException}, {@link AuthenticationFailedException} or
 * {@link ReplayDetectedException}. A valid message opens, with its kind, body and sequence number,
 * exactly once (later: a replay); an edited message opens only if header and ciphertext are
 * unchanged (only the signature has a second valid encoding) and counts as that message. Finally
 * every valid message not opened yet still opens: a rejected message changed nothing.</li>
 * <li>A peer that holds the keys: the fuzzer picks epoch, sequence number and inner plaintext (raw,
 * or properly padded), and the message is encrypted and signed as the sender would. Opening it
 * returns the message (the body as padded) or throws {@link MalformedMessageException} or
 * {@link ReplayDetectedException}: never an authentication failure, and nothing else.</li>
 * </ul>
 * Any other throwable (an unchecked exception, an error, a hang) is a finding.
 */
class SealedMessageFuzzTest {
    private static final IdentityKeyPair SENDER = IdentityKeyPair.generate(new DeterministicRandom("fuzz sender identity"));
    private static final IdentityKeyPair RECEIVER = IdentityKeyPair.generate(new DeterministicRandom("fuzz receiver identity"));
    private static final byte[] THF = bytes(32, 0x30);
    private static final byte[] KEY = bytes(32, 0x40);
    private static final byte[] IV = bytes(12, 0x50);
    private static final byte[] BACK_KEY = bytes(32, 0x60);
    private static final byte[] BACK_IV = bytes(12, 0x70);
    private static final SessionPolicy POLICY = new SessionPolicy(2, Duration.ofDays(1), Duration.ofSeconds(30));
    private static final MessageKind[] KINDS = {MessageKind.TEXT, MessageKind.DUMMY, MessageKind.ACK, MessageKind.TEXT};
    private static final byte[][] BODIES = {
        "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8), bytes(200, 0x01), bytes(9, 0x00), new byte[0]};
    private static final byte[][] VALID = new byte[KINDS.length][];

    static {
        SecureSession sender = new SecureSession(Role.INITIATOR, SENDER, RECEIVER.publicKey(), THF,
                SecretBytes.copyOf(KEY), IV.clone(), SecretBytes.copyOf(BACK_KEY), BACK_IV.clone(),
                POLICY, new FakeClock());
        for (int i = 0; i < KINDS.length; i++) {
            VALID[i] = sender.seal(KINDS[i], BODIES[i]);
        }
        sender.close();
    }

    @FuzzTest
    void open(FuzzedDataProvider data) {
        SecureSession receiver = new SecureSession(Role.RESPONDER, RECEIVER, SENDER.publicKey(), THF,
                SecretBytes.copyOf(BACK_KEY), BACK_IV.clone(), SecretBytes.copyOf(KEY), IV.clone(),
                POLICY, new FakeClock());
        try {
            if (data.consumeInt(0, 3) == 3) {
                fromKeyHolder(receiver, data);
            } else {
                fromRelay(receiver, data);
            }
        } finally {
            receiver.close();
        }
    }

    private static void fromRelay(SecureSession receiver, FuzzedDataProvider data) {
        boolean[] opened = new boolean[VALID.length];
        int steps = data.consumeInt(1, 6);
        for (int step = 0; step < steps && (step == 0 || data.remainingBytes() > 0); step++) {
            int choice = data.consumeInt(0, 2);
            int i = data.consumeInt(0, VALID.length - 1);
            byte[] m = choice == 0 ? VALID[i] : choice == 1 ? Mutations.of(data, VALID[i]) : data.consumeBytes(600);
            int same = sameMessage(m);
            boolean exact = same >= 0 && Arrays.equals(m, VALID[same]);
            OpenedMessage o;
            try {
                o = receiver.open(m);
            } catch (ReplayDetectedException e) {
                if (same >= 0 && !opened[same]) {
                    throw new AssertionError("message " + same + ", not opened yet, was called a replay", e);
                }
                continue;
            } catch (MalformedMessageException | AuthenticationFailedException e) {
                if (exact && !opened[same]) {
                    throw new AssertionError("valid message " + same + " was refused", e);
                }
                continue;
            }
            if (same < 0) {
                throw new AssertionError("a message whose header or ciphertext was changed opened");
            }
            if (opened[same]) {
                throw new AssertionError("valid message " + same + " opened twice");
            }
            opened[same] = true;
            assertOpened(same, o);
        }
        for (int i = 0; i < VALID.length; i++) {
            if (!opened[i]) {
                try {
                    assertOpened(i, receiver.open(VALID[i]));
                } catch (MalformedMessageException | AuthenticationFailedException | ReplayDetectedException e) {
                    throw new AssertionError("after the messages refused, valid message " + i + " no longer opens", e);
                }
            }
        }
    }

    private static void fromKeyHolder(SecureSession receiver, FuzzedDataProvider data) {
        int epoch = data.consumeInt(-1, (int) SecureSession.MAX_EPOCH_JUMP + 2);
        long seq = data.consumeLong();
        boolean padded = data.consumeBoolean();
        MessageKind kind = MessageKind.values()[data.consumeInt(0, MessageKind.values().length - 1)];
        byte[] raw = data.consumeRemainingAsBytes();
        byte[] inner = padded ? Padding.encode(kind, raw) : raw;
        byte[] m = sealAsSender(epoch, seq, inner);
        OpenedMessage o;
        try {
            o = receiver.open(m);
        } catch (MalformedMessageException | ReplayDetectedException expected) {
            return;
        } catch (AuthenticationFailedException e) {
            throw new AssertionError("a message encrypted and signed with the session's keys failed authentication", e);
        }
        assertEquals(seq, o.seq());
        if (padded) {
            assertEquals(kind, o.kind());
            assertArrayEquals(raw, o.body());
        }
    }

    /** What the sender's {@link SecureSession#seal} does, with any epoch, sequence number and inner plaintext. */
    private static byte[] sealAsSender(int epoch, long seq, byte[] inner) {
        SecretBytes key = SecretBytes.copyOf(KEY);
        for (int e = 0; e < epoch; e++) {
            SecretBytes next = KeySchedule.rekey(key);
            key.destroy();
            key = next;
        }
        byte[] header = Wire.dataHeader(epoch, seq);
        byte[] ct = AesGcm.create(key).seal(KeySchedule.nonce(IV, seq), inner, Wire.concat(header, THF));
        key.destroy();
        byte[] sig = SENDER.sign(KeySchedule.MSG, KeySchedule.DIR_I2R, THF,
                header, ct);
        return Wire.concat(header, ct, sig);
    }

    private static void assertOpened(int i, OpenedMessage o) {
        assertEquals(KINDS[i], o.kind(), "kind of valid message " + i);
        assertArrayEquals(BODIES[i], o.body(), "body of valid message " + i);
        assertEquals(i, o.seq(), "sequence number of valid message " + i);
    }

    /** @return the index of the valid message {@code m} is, up to its signature bytes, or -1 */
    private static int sameMessage(byte[] m) {
        for (int i = 0; i < VALID.length; i++) {
            int signed = VALID[i].length - Wire.SIG;
            if (m.length == VALID[i].length && Arrays.equals(m, 0, signed, VALID[i], 0, signed)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }
}
