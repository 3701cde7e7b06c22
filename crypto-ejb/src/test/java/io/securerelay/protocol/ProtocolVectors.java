package io.securerelay.protocol;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.HmacSha256;
import io.securerelay.crypto.P256;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.keystore.FilePeerTrustStore;
import io.securerelay.identity.Fingerprints;
import io.securerelay.keystore.IdentityKeyFiles;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Padding;
import io.securerelay.protocol.internal.Wire;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the protocol test vectors {@code docs/vectors/secure-relay-v1.json} with the product's
 * own code (the real {@link Handshake}, {@link SecureSession}, {@link RoutingKey}, relay codec and
 * key files), from the fixed seed {@link #SEED}: every input (static and ephemeral private keys,
 * relay nonces, texts, dummy bytes, times) is derived from the seed and handed to the product
 * through its ordinary seams (the {@link SecureRandom} of a handshake yields exactly the ephemeral
 * scalar and nothing else; signatures are deterministic, RFC 6979). Run it with
 * {@code mvn -q -pl crypto-ejb -am test-compile exec:java@vectors}; {@code ProtocolVectorsTest} checks
 * that the file in the repository is exactly what this produces, and replays it independently.
 */
public final class ProtocolVectors {
    /** The seed every input is derived from. */
    public static final String SEED = "secure-relay protocol vectors v1";
    /** Where the file lives, relative to the project root. */
    public static final String FILE = "docs/vectors/secure-relay-v1.json";
    static final HexFormat HEX = HexFormat.of();
    /** 2026-01-01T00:00:00Z: the conversations' start, Unix epoch milliseconds (UTC). */
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private ProtocolVectors() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args.length > 0 ? args[0] : FILE);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, generate());
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** One message of a scripted conversation. */
    record Step(boolean fromInitiator, MessageKind kind, long number, String text, long ackUpTo, boolean gap,
            int dummyLength, Duration advance) {
        static Step text(boolean fromInitiator, long number, String text) {
            return new Step(fromInitiator, MessageKind.TEXT, number, text, 0, false, 0, Duration.ZERO);
        }

        static Step ack(boolean fromInitiator, long upTo, boolean gap) {
            return new Step(fromInitiator, MessageKind.ACK, 0, null, upTo, gap, 0, Duration.ZERO);
        }

        static Step dummy(boolean fromInitiator, int length) {
            return new Step(fromInitiator, MessageKind.DUMMY, 0, null, 0, false, length, Duration.ZERO);
        }

        Step after(Duration d) {
            return new Step(fromInitiator, kind, number, text, ackUpTo, gap, dummyLength, d);
        }
    }

    /** A scripted conversation. */
    record Script(String name, String description, String initiatorRole, String responderRole,
            SessionPolicy policy, List<Step> steps) {
    }

    static List<Script> scripts() {
        return List.of(
                new Script("customer-calls-bank",
                        "The customer knows the bank's session ID and initiates. The bank confirms the session "
                                + "with ACK 0 at once; texts both ways, one longer than a bucket, a dummy, and a "
                                + "rekey after every 2 messages per direction (each direction counts its own "
                                + "messages: i2r reaches epoch 2 with its 5th message while r2i, with 4, is at epoch 1).",
                        "customer", "bank", new SessionPolicy(2, Duration.ofMinutes(10), Duration.ofSeconds(30)),
                        List.of(
                                Step.ack(false, 0, false),
                                Step.text(true, 1, "hello"),
                                Step.ack(false, 1, false),
                                Step.text(false, 1, "Guten Tag, Gr\u00fc\u00dfe aus der Bank \u2714"),
                                Step.text(true, 2, "Please transfer 100.00 EUR to account DE00 1234 5678 9012 3456 78 "
                                        + "on the first business day of every month until further notice; reference: "
                                        + "rent, flat 3, second floor, left door."),
                                Step.dummy(true, 40),
                                Step.text(true, 3, "third"),
                                Step.ack(false, 3, false),
                                Step.ack(true, 1, false))),
                new Script("bank-calls-customer",
                        "The bank initiates (the roles are not tied to bank and customer). A gap: the customer "
                                + "receives text 3 before 2 and acknowledges 1 with the gap flag; the bank's "
                                + "second text is sealed 10 minutes after the session started, so its sender "
                                + "rekeys by time (epoch 1, seq 1).",
                        "bank", "customer", SessionPolicy.DEFAULT,
                        List.of(
                                Step.ack(false, 0, false),
                                Step.text(true, 1, "Your statement is ready."),
                                Step.text(true, 3, "Text 3 overtook text 2.").after(Duration.ofMinutes(10)),
                                Step.ack(false, 1, true),
                                Step.text(true, 2, "Text 2, resent."),
                                Step.ack(false, 3, false),
                                Step.text(false, 1, ""))));
    }

    /** Everything derived for one conversation; the negatives are built from it. */
    static final class Run {
        final Script script;
        final IdentityKeyPair idI;
        final IdentityKeyPair idR;
        final byte[] ephI;
        final byte[] ephR;
        final SessionId sidI;
        final SessionId sidR;
        byte[] init;
        byte[] response;
        byte[] finish;
        final List<byte[]> sealed = new ArrayList<>();
        final List<Boolean> sealedFromInitiator = new ArrayList<>();

        Run(Script s) {
            this.script = s;
            this.idI = IdentityKeyPair.fromPrivateKey(P256.privateKey(new BigInteger(1, scalar(s.name + "/initiator/identity"))));
            this.idR = IdentityKeyPair.fromPrivateKey(P256.privateKey(new BigInteger(1, scalar(s.name + "/responder/identity"))));
            this.ephI = scalar(s.name + "/initiator/ephemeral");
            this.ephR = scalar(s.name + "/responder/ephemeral");
            this.sidI = RoutingKey.fromPrivateScalar(scalar(s.name + "/initiator/routing")).sessionId();
            this.sidR = RoutingKey.fromPrivateScalar(scalar(s.name + "/responder/routing")).sessionId();
        }

        InitiatorHandshake initiator(TestSupport.FakeClock clock) {
            return Handshake.initiator(idI, sidI, sidR, new InMemoryPeerTrustStore(script.responderRole),
                    script.policy, clock, new FixedRandom(ephI));
        }

        ResponderHandshake responder(TestSupport.FakeClock clock, PeerTrustStore trust) {
            return Handshake.responder(idR, sidR, sidI, trust, script.policy, clock, new FixedRandom(ephR));
        }

        ResponderHandshake responder(TestSupport.FakeClock clock) {
            return responder(clock, new InMemoryPeerTrustStore(script.initiatorRole));
        }
    }

    /** @return the whole vectors file, as it is committed. */
    public static String generate() throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("protocol", "secure-relay v1 (docs/PROTOCOL.md)");
        root.put("generated_by", "crypto-ejb/src/test/java/io/securerelay/protocol/ProtocolVectors.java: "
                + "mvn -q -pl crypto-ejb -am test-compile exec:java@vectors");
        root.put("seed", SEED);
        root.put("notes", List.of(
                "All byte strings are lowercase hex. Integers on the wire are big-endian.",
                "Every private scalar below is SHA-256(seed | \"/\" | label), rehashed with a counter byte until it "
                        + "lies in [1, n-1]; the relay nonce of a connection is SHA-256(seed | \"/\" | label).",
                "ECDSA signatures are deterministic (RFC 6979, HMAC-SHA256), raw r||s: an implementation that signs "
                        + "with RFC 6979 reproduces every signature byte; one with random k must instead verify them.",
                "Each conversation runs the real client-side state machines: the handshake takes its one ephemeral "
                        + "scalar from the injected random, and nothing else is random.",
                "sent_at_millis is Unix time in milliseconds (UTC); the time a message is sealed decides time-based "
                        + "rekeying.",
                "Negative cases: each is one tampered message fed to the receiver in the stated state; the "
                        + "receiver must refuse it with the stated error and stay as it was (a session stays "
                        + "usable; a handshake moves to FAILED)."));
        root.put("sizes", sizes());
        List<Object> conversations = new ArrayList<>();
        List<Object> negatives = new ArrayList<>();
        for (Script s : scripts()) {
            Run run = new Run(s);
            conversations.add(conversation(run));
            negatives.addAll(VectorNegatives.of(run));
        }
        root.put("conversations", conversations);
        root.put("negative", negatives);
        return Json.write(root) + "\n";
    }

    private static Map<String, Object> sizes() {
        List<Object> rows = new ArrayList<>();
        for (int body : new int[] {0, 9, 16, 123, 124, 200, 1024, 16 + 16384, 63483, 63484,
                Padding.MAX_BODY}) {
            int inner = Padding.bucket(Padding.INNER_HEADER + body);
            rows.add(obj("body_length", body, "inner_length", inner, "data_length", Wire.DATA_HEADER + inner + 16 + Wire.SIG));
        }
        return obj("description", "DATA length = 14 + bucket(5 + body length) + 16 + 64. The largest body a "
                        + "session seals is 1 MiB; the relay's default frame limit (65,554 bytes, a 65,536-byte "
                        + "payload) is the real bound on the wire; the client app sends texts of at most 16 KiB "
                        + "(TEXT body = 16 + text bytes).",
                "max_body", Padding.MAX_BODY, "min_data_length", Wire.DATA_MIN, "max_data_length", Wire.DATA_MAX,
                "relay_max_payload", RelayCodec.DEFAULT_MAX_PAYLOAD, "client_max_text_bytes", 16384,
                "examples", rows);
    }

    private static Map<String, Object> conversation(Run run) throws Exception {
        Script s = run.script;
        TestSupport.FakeClock clock = new TestSupport.FakeClock(Instant.ofEpochMilli(T0));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", s.name);
        c.put("description", s.description);
        c.put("policy", obj("rekey_after_messages", s.policy.rekeyAfterMessages(),
                "rekey_after_seconds", s.policy.rekeyAfterTime().toSeconds(),
                "handshake_timeout_seconds", s.policy.handshakeTimeout().toSeconds()));
        c.put("start_time_millis", T0);
        c.put("initiator", party(run, true, s.initiatorRole, run.idI, s.responderRole, run.idR));
        c.put("responder", party(run, false, s.responderRole, run.idR, s.initiatorRole, run.idI));
        c.put("safety_number", Fingerprints.safetyNumber(run.idI.publicKey(), run.idR.publicKey()));

        InitiatorHandshake i = run.initiator(clock);
        ResponderHandshake r = run.responder(clock);
        run.init = i.createInit();
        run.response = r.receiveInit(run.init);
        run.finish = i.receiveResponse(run.response);
        r.receiveFinish(run.finish);
        SecureSession si = i.session();
        SecureSession sr = r.session();
        byte[] eI = Arrays.copyOfRange(run.init, Wire.PREFIX, Wire.PREFIX + Wire.PT);
        byte[] eR = Arrays.copyOfRange(run.response, Wire.PREFIX, Wire.PREFIX + Wire.PT);
        check(Arrays.equals(eI, P256.encodePoint(P256.publicKeyOf(priv(run.ephI)))), "eI is not the seeded scalar's point");
        check(Arrays.equals(eR, P256.encodePoint(P256.publicKeyOf(priv(run.ephR)))), "eR is not the seeded scalar's point");
        c.put("handshake", handshake(run, eI, eR, si));

        List<Object> messages = new ArrayList<>();
        for (Step step : s.steps) {
            clock.advance(step.advance);
            SecureSession from = step.fromInitiator ? si : sr;
            SecureSession to = step.fromInitiator ? sr : si;
            byte[] body = body(s.name + "/message/" + messages.size(), step, clock.millis());
            byte[] sealed = from.seal(step.kind, body);
            OpenedMessage opened = to.open(sealed);
            check(opened.kind() == step.kind && Arrays.equals(opened.body(), body), "the receiver opened something else");
            run.sealed.add(sealed);
            run.sealedFromInitiator.add(step.fromInitiator);
            messages.add(message(run, step, body, sealed, si.transcriptHash(), clock.millis()));
        }
        c.put("messages", messages);
        c.put("final_epochs", obj("i2r", si.sendEpoch(), "r2i", sr.sendEpoch()));
        return c;
    }

    private static Map<String, Object> party(Run run, boolean initiator, String role, IdentityKeyPair id,
            String peerRole, IdentityKeyPair peer) throws Exception {
        String label = run.script.name + (initiator ? "/initiator" : "/responder");
        byte[] routingScalar = scalar(label + "/routing");
        RoutingKey routing = RoutingKey.fromPrivateScalar(routingScalar);
        byte[] nonce = bytes32(label + "/relay-nonce");
        RelayFrame.Register register = routing.register(nonce);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("role", role);
        p.put("identity_private_scalar", HEX.formatHex(scalar(label + "/identity")));
        p.put("identity_point", HEX.formatHex(id.publicKey().point()));
        p.put("identity_spki", HEX.formatHex(id.publicKey().spki()));
        p.put("fingerprint", id.publicKey().fingerprint());
        p.put("identity_key_file_name", IdentityKeyFiles.fileName(role));
        p.put("identity_key_file", keyFile(role, id));
        p.put("peer_key_file_name", FilePeerTrustStore.fileName(peerRole));
        p.put("peer_key_file", peerFile(peerRole, peer));
        p.put("ephemeral_private_scalar", HEX.formatHex(initiator ? run.ephI : run.ephR));
        p.put("routing_private_scalar", HEX.formatHex(routingScalar));
        p.put("routing_public_key", HEX.formatHex(routing.publicKey()));
        p.put("session_id", routing.sessionId().toHex());
        p.put("registration", obj(
                "relay_nonce", HEX.formatHex(nonce),
                "challenge", frame(new RelayFrame.Challenge(nonce)),
                "signed_bytes", HEX.formatHex(io.securerelay.protocol.relay.RegistrationProof.signedBytes(nonce, routing.publicKey())),
                "register", frame(register),
                "registered", frame(new RelayFrame.Registered(routing.sessionId()))));
        return p;
    }

    private static Map<String, Object> handshake(Run run, byte[] eI, byte[] eR, SecureSession si) {
        byte[] sidI = run.sidI.toBytes();
        byte[] sidR = run.sidR.toBytes();
        byte[] idI = run.idI.publicKey().point();
        byte[] idR = run.idR.publicKey().point();
        byte[] thI = KeySchedule.transcript(sidI, sidR, eI, idI);
        byte[] th0 = KeySchedule.transcript(sidI, sidR, eI, eR);
        byte[] thR = KeySchedule.transcript(sidI, sidR, eI, eR, idR);
        byte[] thF = KeySchedule.transcript(sidI, sidR, eI, eR, idR, idI);
        check(Arrays.equals(thF, si.transcriptHash()), "THF differs from the session's");
        byte[] ss = P256.ecdh(priv(run.ephI), P256Points.decode(eR));
        check(Arrays.equals(ss, P256.ecdh(priv(run.ephR), P256Points.decode(eI))), "ECDH is not symmetric");
        byte[] prk = Hkdf.extract(th0, ss);
        byte[] kcR = Hkdf.expand(prk, KeySchedule.CONFIRM_R, 32);
        byte[] kcI = Hkdf.expand(prk, KeySchedule.CONFIRM_I, 32);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("eI", HEX.formatHex(eI));
        h.put("eR", HEX.formatHex(eR));
        h.put("THI", HEX.formatHex(thI));
        h.put("TH0", HEX.formatHex(th0));
        h.put("THR", HEX.formatHex(thR));
        h.put("THF", HEX.formatHex(thF));
        h.put("shared_secret", HEX.formatHex(ss));
        h.put("PRK", HEX.formatHex(prk));
        h.put("kcR", HEX.formatHex(kcR));
        h.put("kcI", HEX.formatHex(kcI));
        h.put("k_i2r", HEX.formatHex(KeySchedule.trafficKey(prk, KeySchedule.I2R, thF).toByteArray()));
        h.put("iv_i2r", HEX.formatHex(KeySchedule.trafficIv(prk, KeySchedule.I2R, thF)));
        h.put("k_r2i", HEX.formatHex(KeySchedule.trafficKey(prk, KeySchedule.R2I, thF).toByteArray()));
        h.put("iv_r2i", HEX.formatHex(KeySchedule.trafficIv(prk, KeySchedule.R2I, thF)));
        h.put("sig0", HEX.formatHex(field(run.init, Wire.PREFIX + 2 * Wire.PT, Wire.SIG)));
        h.put("sigR", HEX.formatHex(field(run.response, Wire.PREFIX + 2 * Wire.PT, Wire.SIG)));
        h.put("macR", HEX.formatHex(HmacSha256.compute(kcR, KeySchedule.MAC_R, thR)));
        h.put("sigI", HEX.formatHex(field(run.finish, Wire.PREFIX, Wire.SIG)));
        h.put("macI", HEX.formatHex(HmacSha256.compute(kcI, KeySchedule.MAC_I, thF)));
        h.put("INIT", HEX.formatHex(run.init));
        h.put("RESPONSE", HEX.formatHex(run.response));
        h.put("FINISH", HEX.formatHex(run.finish));
        h.put("INIT_send", frame(new RelayFrame.Send(run.sidR, ByteBuffer.wrap(run.init))));
        h.put("INIT_deliver", frame(new RelayFrame.Deliver(run.sidI, ByteBuffer.wrap(run.init))));
        return h;
    }

    private static Map<String, Object> message(Run run, Step step, byte[] body, byte[] sealed, byte[] thF, long now) {
        Wire.Data d;
        try {
            d = Wire.parseData(sealed);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
        byte[] prk = prk(run);
        byte[] dir = step.fromInitiator ? KeySchedule.I2R : KeySchedule.R2I;
        SecretBytes key = KeySchedule.trafficKey(prk, dir, thF);
        for (int e = 0; e < d.epoch(); e++) {
            key = KeySchedule.rekey(key);
        }
        byte[] iv = KeySchedule.trafficIv(prk, dir, thF);
        byte[] nonce = KeySchedule.nonce(iv, d.seq());
        byte[] inner = Padding.encode(step.kind, body);
        byte[] aad = Wire.concat(d.header(), thF);
        check(Arrays.equals(AesGcm.create(key).seal(nonce, inner, aad), d.ciphertext()), "ciphertext not reproduced");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", step.fromInitiator ? "i2r" : "r2i");
        m.put("sender", step.fromInitiator ? run.script.initiatorRole : run.script.responderRole);
        m.put("sealed_at_millis", now);
        m.put("kind", step.kind.name());
        switch (step.kind) {
            case TEXT -> m.put("app", obj("number", step.number, "sent_at_millis", now, "text", step.text));
            case ACK -> m.put("app", obj("up_to", step.ackUpTo, "gap", step.gap));
            default -> m.put("app", obj("dummy_bytes", step.dummyLength));
        }
        m.put("body", HEX.formatHex(body));
        m.put("inner", HEX.formatHex(inner));
        m.put("epoch", d.epoch());
        m.put("seq", d.seq());
        m.put("key", HEX.formatHex(key.toByteArray()));
        m.put("nonce", HEX.formatHex(nonce));
        m.put("header", HEX.formatHex(d.header()));
        m.put("aad", HEX.formatHex(aad));
        m.put("ciphertext", HEX.formatHex(d.ciphertext()));
        m.put("signature", HEX.formatHex(d.sig()));
        m.put("sealed", HEX.formatHex(sealed));
        SessionId to = step.fromInitiator ? run.sidR : run.sidI;
        SessionId from = step.fromInitiator ? run.sidI : run.sidR;
        if (run.sealed.size() == 1) { // the relay frames once per conversation: SEND = 01 02 | to | sealed
            m.put("send", frame(new RelayFrame.Send(to, ByteBuffer.wrap(sealed))));
            m.put("deliver", frame(new RelayFrame.Deliver(from, ByteBuffer.wrap(sealed))));
        }
        return m;
    }

    /** The application body of a step, as part 3 of docs/PROTOCOL.md lays it out. */
    private static byte[] body(String label, Step step, long now) {
        return switch (step.kind) {
            case TEXT -> {
                byte[] utf8 = step.text.getBytes(StandardCharsets.UTF_8);
                yield ByteBuffer.allocate(16 + utf8.length).putLong(step.number).putLong(now).put(utf8).array();
            }
            case ACK -> ByteBuffer.allocate(9).putLong(step.ackUpTo).put((byte) (step.gap ? 1 : 0)).array();
            case DUMMY -> Arrays.copyOf(Wire.concat(bytes32(label + "/a"), bytes32(label + "/b")), step.dummyLength);
        };
    }

    static byte[] prk(Run run) {
        byte[] eI = field(run.init, Wire.PREFIX, Wire.PT);
        byte[] eR = field(run.response, Wire.PREFIX, Wire.PT);
        byte[] ss = P256.ecdh(priv(run.ephI), P256Points.decode(eR));
        return Hkdf.extract(KeySchedule.transcript(run.sidI.toBytes(), run.sidR.toBytes(), eI, eR), ss);
    }

    static String frame(RelayFrame f) {
        ByteBuffer b = RelayCodec.encode(f);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return HEX.formatHex(out);
    }

    private static String keyFile(String role, IdentityKeyPair id) throws IOException {
        Path dir = Files.createTempDirectory("vectors");
        try {
            Path f = dir.resolve(IdentityKeyFiles.fileName(role));
            IdentityKeyFiles.write(f, role, id, null, null, new FixedRandom(new byte[0]));
            return Files.readString(f);
        } catch (io.securerelay.identity.KeyFileException e) {
            throw new IOException(e);
        } finally {
            deleteTree(dir);
        }
    }

    private static String peerFile(String peerRole, IdentityKeyPair peer) throws Exception {
        Path dir = Files.createTempDirectory("vectors");
        try {
            FilePeerTrustStore store = new FilePeerTrustStore(dir, peerRole);
            store.trust(peer.publicKey());
            return Files.readString(store.file());
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    // ---- inputs from the seed -------------------------------------------------------------------

    static byte[] bytes32(String label) {
        return sha256((SEED + "/" + label).getBytes(StandardCharsets.UTF_8));
    }

    /** A private scalar in [1, n-1]: SHA-256(seed/label), rehashed with a counter byte until in range. */
    static byte[] scalar(String label) {
        BigInteger n = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
        byte[] b = bytes32(label);
        for (int counter = 0; ; counter++) {
            BigInteger d = new BigInteger(1, b);
            if (d.signum() > 0 && d.compareTo(n) < 0) {
                return b;
            }
            b = sha256(Wire.concat(b, new byte[] {(byte) counter}));
        }
    }

    static PrivateKey priv(byte[] scalar) {
        return P256.privateKey(new BigInteger(1, scalar));
    }

    static byte[] field(byte[] msg, int offset, int length) {
        return Arrays.copyOfRange(msg, offset, offset + length);
    }

    static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("vector generation: " + what);
        }
    }

    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Decodes a point the generator made itself. */
    static final class P256Points {
        static java.security.interfaces.ECPublicKey decode(byte[] point) {
            try {
                return P256.decodePoint(point);
            } catch (io.securerelay.crypto.InvalidPublicKeyException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * The randomness of one handshake side: yields exactly the given bytes (the ephemeral scalar) once
     * and fails on any further draw, so a vector cannot silently depend on randomness it does not list.
     */
    static final class FixedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;
        private boolean used;

        FixedRandom(byte[] bytes) {
            super(new byte[0]);
            this.bytes = bytes.clone();
        }

        @Override
        public synchronized void nextBytes(byte[] out) {
            if (used || out.length != bytes.length) {
                throw new IllegalStateException("unexpected draw of " + out.length + " random bytes");
            }
            used = true;
            System.arraycopy(bytes, 0, out, 0, out.length);
        }

        @Override
        public byte[] generateSeed(int n) {
            throw new IllegalStateException("unexpected seed request");
        }

        @Override
        public void setSeed(long s) {
            // the constructor of SecureRandom calls this; nothing to do
        }
    }

    /** A small JSON writer: insertion-ordered objects, two-space indentation, ASCII output. */
    static final class Json {
        static String write(Object v) {
            StringBuilder sb = new StringBuilder();
            write(sb, v, "");
            return sb.toString();
        }

        private static void write(StringBuilder sb, Object v, String indent) {
            if (v instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(indent).append("  ");
                    string(sb, (String) e.getKey());
                    sb.append(": ");
                    write(sb, e.getValue(), indent + "  ");
                    sb.append(++i < m.size() ? ",\n" : "\n");
                }
                sb.append(indent).append('}');
            } else if (v instanceof List<?> l) {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(indent).append("  ");
                    write(sb, l.get(i), indent + "  ");
                    sb.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                sb.append(indent).append(']');
            } else if (v instanceof String s) {
                string(sb, s);
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                throw new IllegalArgumentException("not JSON: " + v);
            }
        }

        private static void string(StringBuilder sb, String s) {
            sb.append('"');
            for (char ch : s.toCharArray()) {
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> {
                        if (ch < 0x20 || ch > 0x7e) {
                            sb.append(String.format("\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
