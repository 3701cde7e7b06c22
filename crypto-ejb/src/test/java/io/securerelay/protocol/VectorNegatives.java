package io.securerelay.protocol;

import static io.securerelay.protocol.ProtocolVectors.HEX;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.P256;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Wire;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The negative vectors: each field of each message tampered with, fed to the real receiver in the
 * stated state; the error recorded is the one the product's state machine gives. The same feeds
 * ({@link #feed}) replay the file in {@code ProtocolVectorsTest}.
 */
final class VectorNegatives {
    /** Offsets of the handshake fields (docs/PROTOCOL.md, "Handshake"). */
    static final int SID_I = 2;
    static final int SID_R = 2 + Wire.SID;
    static final int EPH = Wire.PREFIX;
    static final int ID = Wire.PREFIX + Wire.PT;
    static final int SIG = Wire.PREFIX + 2 * Wire.PT;
    static final int MAC = SIG + Wire.SIG;
    static final int FIN_SIG = Wire.PREFIX;
    static final int FIN_MAC = Wire.PREFIX + Wire.SIG;

    private VectorNegatives() {
    }

    /** The attacker's identity and ephemeral keys (seeded too). */
    static IdentityKeyPair attacker() {
        return IdentityKeyPair.fromPrivateKey(ProtocolVectors.priv(ProtocolVectors.scalar("attacker/identity")));
    }

    static byte[] attackerPoint(String label) {
        return P256.encodePoint(P256.publicKeyOf(ProtocolVectors.priv(ProtocolVectors.scalar("attacker/" + label))));
    }

    static List<Map<String, Object>> of(ProtocolVectors.Run run) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        String c = run.script.name();
        if (c.equals("customer-calls-bank")) {
            handshakeCases(run, out);
            dataCases(run, out);
        } else {
            // The second conversation: the fields whose checks depend on the roles, once more.
            out.add(neg(run, "INIT", "sig0", "flip bit 0 of byte " + SIG, flip(run.init, SIG)));
            out.add(neg(run, "RESPONSE", "macR", "flip bit 0 of byte " + MAC, flip(run.response, MAC)));
            out.add(neg(run, "FINISH", "sigI", "flip bit 0 of byte " + FIN_SIG, flip(run.finish, FIN_SIG)));
            out.add(neg(run, "DATA#2", "epoch", "epoch 1 -> 0 (byte 5)", flip(run.sealed.get(2), 5)));
        }
        return out;
    }

    private static void handshakeCases(ProtocolVectors.Run run, List<Map<String, Object>> out) throws Exception {
        for (String m : List.of("INIT", "RESPONSE", "FINISH")) {
            byte[] msg = message(run, m);
            out.add(neg(run, m, "version", "version byte 0x01 -> 0x02", set(msg, 0, 2)));
            out.add(neg(run, m, "type", "type byte -> 0x" + (m.equals("INIT") ? "02" : "01") + " (another handshake type)",
                    set(msg, 1, m.equals("INIT") ? 2 : 1)));
            out.add(neg(run, m, "length", "last byte cut off", Arrays.copyOf(msg, msg.length - 1)));
            out.add(neg(run, m, "length", "one zero byte appended", Arrays.copyOf(msg, msg.length + 1)));
            out.add(neg(run, m, "sidI", "flip bit 0 of byte " + SID_I, flip(msg, SID_I)));
            out.add(neg(run, m, "sidR", "flip bit 0 of byte " + SID_R, flip(msg, SID_R)));
        }
        byte[] init = run.init;
        out.add(neg(run, "INIT", "eI", "flip bit 0 of the last byte of eI (no longer on the curve)", flip(init, EPH + 64)));
        out.add(neg(run, "INIT", "eI", "eI replaced by another valid point", put(init, EPH, attackerPoint("ephemeral"))));
        out.add(neg(run, "INIT", "idI", "flip bit 0 of the last byte of idI (no longer on the curve)", flip(init, ID + 64)));
        out.add(neg(run, "INIT", "idI", "idI replaced by the attacker's identity key, sig0 unchanged",
                put(init, ID, attacker().publicKey().point())));
        out.add(neg(run, "INIT", "sig0", "flip bit 0 of byte " + SIG, flip(init, SIG)));
        out.add(neg(run, "INIT", "sig0", "s replaced by 0 (bytes " + (SIG + 32) + ".." + (SIG + 63) + ")",
                put(init, SIG + 32, new byte[32])));
        byte[] eI = ProtocolVectors.field(init, EPH, Wire.PT);
        byte[] mitm = put(init, ID, attacker().publicKey().point());
        mitm = put(mitm, SIG, attacker().sign(KeySchedule.SIG_INIT,
                KeySchedule.transcript(run.sidI.toBytes(), run.sidR.toBytes(), eI, attacker().publicKey().point())));
        Map<String, Object> pinned = neg(run, "INIT+pinned", "idI,sig0",
                "idI replaced by the attacker's key and sig0 re-signed by it; the responder has pinned the genuine "
                        + "initiator key", mitm);
        out.add(pinned);
        byte[] resp = run.response;
        out.add(neg(run, "RESPONSE", "eR", "flip bit 0 of the last byte of eR (no longer on the curve)", flip(resp, EPH + 64)));
        out.add(neg(run, "RESPONSE", "eR", "eR replaced by another valid point", put(resp, EPH, attackerPoint("ephemeral"))));
        out.add(neg(run, "RESPONSE", "idR", "flip bit 0 of the last byte of idR (no longer on the curve)", flip(resp, ID + 64)));
        out.add(neg(run, "RESPONSE", "idR", "idR replaced by the attacker's identity key",
                put(resp, ID, attacker().publicKey().point())));
        out.add(neg(run, "RESPONSE", "sigR", "flip bit 0 of byte " + SIG, flip(resp, SIG)));
        out.add(neg(run, "RESPONSE", "macR", "flip bit 0 of byte " + MAC, flip(resp, MAC)));
        out.add(neg(run, "RESPONSE", "reflected", "the INIT sent back to the initiator", run.init.clone()));
        out.add(neg(run, "FINISH", "sigI", "flip bit 0 of byte " + FIN_SIG, flip(run.finish, FIN_SIG)));
        out.add(neg(run, "FINISH", "macI", "flip bit 0 of byte " + FIN_MAC, flip(run.finish, FIN_MAC)));
    }

    private static void dataCases(ProtocolVectors.Run run, List<Map<String, Object>> out) throws Exception {
        byte[] hello = run.sealed.get(1); // TEXT 1 "hello", i2r, epoch 0, seq 0, 222 bytes
        String m = "DATA#1";
        out.add(neg(run, m, "version", "version byte 0x01 -> 0x02", set(hello, 0, 2)));
        out.add(neg(run, m, "type", "type byte 0x10 -> 0x11", set(hello, 1, 0x11)));
        out.add(neg(run, m, "length", "cut to 217 bytes (5 cut off the end)", Arrays.copyOf(hello, hello.length - 5)));
        out.add(neg(run, m, "length", "cut to the 2-byte prefix", Arrays.copyOf(hello, 2)));
        out.add(neg(run, m, "epoch", "flip bit 0 of byte 5 (epoch 0 -> 1)", flip(hello, 5)));
        out.add(neg(run, m, "seq", "flip bit 0 of byte 13 (seq 0 -> 1)", flip(hello, 13)));
        out.add(neg(run, m, "ciphertext", "flip bit 0 of byte 14", flip(hello, 14)));
        out.add(neg(run, m, "tag", "flip bit 0 of the last tag byte (" + (hello.length - Wire.SIG - 1) + ")",
                flip(hello, hello.length - Wire.SIG - 1)));
        out.add(neg(run, m, "signature", "flip bit 0 of the last byte", flip(hello, hello.length - 1)));
        out.add(neg(run, m + "+replay", "whole", "the genuine message again, after it was opened once", hello.clone()));
        out.add(neg(run, m + "+reflected", "whole", "delivered back to its sender", hello.clone()));
        byte[] longText = run.sealed.get(4); // TEXT 2, 302 bytes: longer than the minimum
        out.add(neg(run, "DATA#4", "length", "cut from " + longText.length + " to " + (longText.length - 5)
                + " bytes (still above the minimum)", Arrays.copyOf(longText, longText.length - 5)));
        out.add(neg(run, "DATA#4", "length", "cut from " + longText.length + " to " + Wire.DATA_MIN
                + " bytes (the minimum)", Arrays.copyOf(longText, Wire.DATA_MIN)));
        // Authentic messages (right keys, signed by the initiator) whose inner plaintext breaks the rules:
        // what a buggy peer could send. The receiver must refuse them after decryption.
        byte[] small = new byte[128];
        small[0] = 4;
        out.add(neg(run, "DATA*", "inner kind", "kind 0x04 (unknown) inside an authentic message", peerSealed(run, small)));
        byte[] badLen = new byte[128];
        badLen[0] = 1;
        ByteBuffer.wrap(badLen, 1, 4).putInt(124);
        out.add(neg(run, "DATA*", "inner length", "length 124 in a 128-byte inner (5 + 124 > 128)", peerSealed(run, badLen)));
        byte[] pad = new byte[128];
        pad[0] = 1;
        ByteBuffer.wrap(pad, 1, 4).putInt(2);
        pad[127] = 1;
        out.add(neg(run, "DATA*", "inner padding", "last padding byte 0x01", peerSealed(run, pad)));
        byte[] bucket = new byte[256];
        bucket[0] = 1;
        ByteBuffer.wrap(bucket, 1, 4).putInt(2);
        out.add(neg(run, "DATA*", "inner bucket", "a 2-byte body padded to 256 bytes (its bucket is 128)",
                peerSealed(run, bucket)));
    }

    /** A message sealed and signed with the initiator's real keys (epoch 0, seq 0) around {@code inner}. */
    static byte[] peerSealed(ProtocolVectors.Run run, byte[] inner) {
        byte[] thF = KeySchedule.transcript(run.sidI.toBytes(), run.sidR.toBytes(),
                ProtocolVectors.field(run.init, EPH, Wire.PT), ProtocolVectors.field(run.response, EPH, Wire.PT),
                run.idR.publicKey().point(), run.idI.publicKey().point());
        byte[] prk = ProtocolVectors.prk(run);
        byte[] header = Wire.dataHeader(0, 0);
        byte[] ct = AesGcm.create(KeySchedule.trafficKey(prk, KeySchedule.I2R, thF))
                .seal(KeySchedule.nonce(KeySchedule.trafficIv(prk, KeySchedule.I2R, thF), 0), inner, Wire.concat(header, thF));
        byte[] sig = run.idI.sign(KeySchedule.MSG, KeySchedule.DIR_I2R, thF, header, ct);
        return Wire.concat(header, ct, sig);
    }

    /** Who receives a tampered copy of {@code message}, and in which state. */
    static String[] receiver(String message) {
        return switch (message) {
            case "INIT" -> new String[] {"responder", "READY (fresh, nothing pinned)"};
            case "INIT+pinned" -> new String[] {"responder", "READY, the genuine initiator key pinned"};
            case "RESPONSE" -> new String[] {"initiator", "AWAITING_RESPONSE (after sending this conversation's INIT)"};
            case "FINISH" -> new String[] {"responder", "AWAITING_FINISH (after this conversation's INIT and RESPONSE)"};
            default -> {
                if (message.endsWith("+replay")) {
                    yield new String[] {"responder", "session established, the genuine message opened once"};
                }
                if (message.endsWith("+reflected")) {
                    yield new String[] {"initiator", "session established (it sealed the message itself)"};
                }
                yield new String[] {"receiver of the message",
                        "session established, nothing opened yet"};
            }
        };
    }

    private static Map<String, Object> neg(ProtocolVectors.Run run, String message, String field, String tampering,
            byte[] input) {
        String[] who = receiver(message);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("conversation", run.script.name());
        n.put("message", message);
        n.put("field", field);
        n.put("tampering", tampering);
        n.put("receiver", who[0]);
        n.put("receiver_state", who[1]);
        n.put("input", HEX.formatHex(input));
        try {
            feed(run, message, input);
        } catch (Exception e) {
            n.put("error", e.getClass().getSimpleName());
            n.put("error_message", e.getMessage());
            return n;
        }
        throw new AssertionError("vector generation: a tampered " + message + " (" + tampering + ") was accepted");
    }

    /** Hands {@code input} to the receiver of {@code message} in the state {@link #receiver} names. */
    static void feed(ProtocolVectors.Run run, String message, byte[] input) throws Exception {
        TestSupport.FakeClock clock = new TestSupport.FakeClock(Instant.ofEpochMilli(ProtocolVectors.T0));
        switch (message) {
            case "INIT" -> run.responder(clock).receiveInit(input);
            case "INIT+pinned" -> {
                InMemoryPeerTrustStore pinned = new InMemoryPeerTrustStore(run.script.initiatorRole());
                pinned.trust(run.idI.publicKey());
                run.responder(clock, pinned).receiveInit(input);
            }
            case "RESPONSE" -> {
                InitiatorHandshake i = run.initiator(clock);
                i.createInit();
                i.receiveResponse(input);
            }
            case "FINISH" -> {
                ResponderHandshake r = run.responder(clock);
                r.receiveInit(run.initiator(clock).createInit());
                r.receiveFinish(input);
            }
            default -> {
                InitiatorHandshake i = run.initiator(clock);
                ResponderHandshake r = run.responder(clock);
                r.receiveFinish(i.receiveResponse(r.receiveInit(i.createInit())));
                SecureSession si = i.session();
                SecureSession sr = r.session();
                if (message.endsWith("+replay")) {
                    sr.open(input);
                    sr.open(input);
                } else if (message.endsWith("+reflected")) {
                    si.open(input);
                } else if (message.equals("DATA*")) {
                    sr.open(input);
                } else {
                    int k = Integer.parseInt(message.substring("DATA#".length()));
                    (run.sealedFromInitiator.get(k) ? sr : si).open(input);
                }
            }
        }
    }

    static byte[] message(ProtocolVectors.Run run, String m) {
        return switch (m) {
            case "INIT" -> run.init;
            case "RESPONSE" -> run.response;
            default -> run.finish;
        };
    }

    static byte[] flip(byte[] m, int i) {
        byte[] c = m.clone();
        c[i] ^= 0x01;
        return c;
    }

    static byte[] set(byte[] m, int i, int v) {
        byte[] c = m.clone();
        c[i] = (byte) v;
        return c;
    }

    static byte[] put(byte[] m, int offset, byte[] v) {
        byte[] c = m.clone();
        System.arraycopy(v, 0, c, offset, v.length);
        return c;
    }
}
