package io.securerelay.bench;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.P256;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.protocol.Handshake;
import io.securerelay.protocol.InitiatorHandshake;
import io.securerelay.protocol.MessageKind;
import io.securerelay.protocol.OpenedMessage;
import io.securerelay.protocol.ResponderHandshake;
import io.securerelay.protocol.SecureSession;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.protocol.SessionPolicy;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Protocol operations next to the raw primitives they are made of, on one thread.
 * {@code raw*Sum} benchmarks run exactly the primitives of the matching protocol operation with no
 * protocol code around them, through the same {@link P256}/{@link AesGcm}/{@link Hkdf} calls the
 * protocol makes, so overhead = 1 - protocol/rawSum. Compare only within one run.
 * <ul>
 * <li>{@code handshakeComplete} / {@code rawHandshakePrimitivesSum}: the same two identities again and
 * again (a returning peer). The raw sum verifies against key objects it keeps; the protocol decodes and
 * validates the peer's identity point from every message and gets the same key object back from
 * {@code IdentityPublicKey}'s cache of recent keys, so both use BouncyCastle's fixed-point verification.</li>
 * <li>{@code handshakeNewPeers} / {@code rawHandshakePrimitivesSumNewPeers}: a peer seen for the first
 * time (identities cycle through a pool larger than that cache). Each verify then runs on a freshly
 * decoded point (BouncyCastle's wNAF path, about 2.5 times slower), in the protocol and in the raw sum.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms512m", "-Xmx512m"})
@Threads(1)
@State(Scope.Thread)
public class ProtocolBenchmark {
    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();
    private IdentityKeyPair alice;
    private IdentityKeyPair bob;
    private SecureSession sa;
    private SecureSession sb;
    private byte[] b64;
    private byte[] b1k;
    private byte[] b64k;
    private KeyPair ecA;
    private KeyPair ecB;
    private ECPublicKey ecBPub;
    private byte[] sig1k;
    private AesGcm aead;
    private byte[] nonce = new byte[12];
    private byte[] ikm = new byte[32];
    private long ctr;
    /** More identities than IdentityPublicKey keeps (64), so that every handshake meets new peers. */
    private static final int NEW_PEER_POOL = 160;
    private IdentityKeyPair[] pool;
    private int poolNext;
    private byte[] ecAPoint;
    private byte[] ecBPoint;

    @Setup
    public void setup() throws Exception {
        alice = IdentityKeyPair.generate(random);
        bob = IdentityKeyPair.generate(random);
        SecureSession[] s = handshakeOnce();
        sa = s[0];
        sb = s[1];
        b64 = new byte[64];
        b1k = new byte[1024];
        b64k = new byte[65536];
        random.nextBytes(b1k);
        ecA = P256.generateKeyPair(random);
        ecB = P256.generateKeyPair(random);
        ecBPub = (ECPublicKey) ecB.getPublic();
        sig1k = P256.sign(ecA.getPrivate(), b1k);
        byte[] k = new byte[32];
        random.nextBytes(k);
        aead = AesGcm.create(k);
        random.nextBytes(ikm);
        ecAPoint = P256.encodePoint(ecA.getPublic());
        ecBPoint = P256.encodePoint(ecB.getPublic());
        pool = new IdentityKeyPair[NEW_PEER_POOL];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = IdentityKeyPair.generate(random);
        }
    }

    private SecureSession[] handshakeOnce() throws Exception {
        return handshakeOnce(alice, bob);
    }

    private SecureSession[] handshakeOnce(IdentityKeyPair alice, IdentityKeyPair bob) throws Exception {
        SessionId ia = SessionId.random(random);
        SessionId ib = SessionId.random(random);
        InitiatorHandshake a = Handshake.initiator(alice, ia, ib, new InMemoryPeerTrustStore("bob"),
                SessionPolicy.DEFAULT, clock, random);
        ResponderHandshake b = Handshake.responder(bob, ib, ia, new InMemoryPeerTrustStore("alice"),
                SessionPolicy.DEFAULT, clock, random);
        b.receiveFinish(a.receiveResponse(b.receiveInit(a.createInit())));
        return new SecureSession[] {a.session(), b.session()};
    }

    /** A complete handshake: both sides, all three messages (three signatures), keygen, ECDH, sign, verify, HKDF, MACs. */
    @Benchmark
    public Object handshakeComplete() throws Exception {
        return handshakeOnce();
    }

    /** As {@link #handshakeComplete}, but both identities are new to this process (not in its key cache). */
    @Benchmark
    public Object handshakeNewPeers() throws Exception {
        IdentityKeyPair a = pool[poolNext];
        IdentityKeyPair b = pool[poolNext + 1];
        poolNext = (poolNext + 2) % NEW_PEER_POOL;
        return handshakeOnce(a, b);
    }

    @Benchmark
    public OpenedMessage sealOpen64B() throws Exception {
        return sb.open(sa.seal(MessageKind.TEXT, b64));
    }

    @Benchmark
    public OpenedMessage sealOpen1KiB() throws Exception {
        return sb.open(sa.seal(MessageKind.TEXT, b1k));
    }

    @Benchmark
    public OpenedMessage sealOpen64KiB() throws Exception {
        return sb.open(sa.seal(MessageKind.TEXT, b64k));
    }

    @Benchmark
    public byte[] rawEcdsaSign() {
        return P256.sign(ecA.getPrivate(), b64);
    }

    @Benchmark
    public boolean rawEcdsaVerify() throws AuthenticationFailedException {
        P256.verify((ECPublicKey) ecA.getPublic(), sig1k, b1k);
        return true;
    }

    /** Verify against a key object decoded just before (a peer's identity seen for the first time). */
    @Benchmark
    public boolean rawEcdsaVerifyNewKey() throws Exception {
        P256.verify(P256.decodePoint(ecAPoint), sig1k, b1k);
        return true;
    }

    @Benchmark
    public byte[] rawEcdh() {
        return P256.ecdh(ecA.getPrivate(), ecBPub);
    }

    @Benchmark
    public KeyPair rawKeyGen() {
        return P256.generateKeyPair(random);
    }

    @Benchmark
    public byte[] rawAesGcm1KiBEncryptDecrypt() throws AuthenticationFailedException {
        nonce[4] = (byte) ctr;
        nonce[5] = (byte) (ctr++ >>> 8);
        nonce[6] = (byte) (ctr >>> 16);
        return aead.open(nonce, aead.seal(nonce, b1k, b64), b64);
    }

    @Benchmark
    public byte[] rawHkdf64B() {
        return Hkdf.derive(b64, ikm, b64, 64);
    }

    /**
     * The primitives of one complete handshake, no protocol code: 2 keygen, 2 ECDH, 3 sign, 3 verify
     * (INIT, RESPONSE, FINISH), 7 HKDF.
     */
    @Benchmark
    public Object rawHandshakePrimitivesSum() throws Exception {
        KeyPair x = P256.generateKeyPair(random);
        byte[] g0 = P256.sign(ecA.getPrivate(), b64);
        P256.verify((ECPublicKey) ecA.getPublic(), g0, b64);
        KeyPair y = P256.generateKeyPair(random);
        byte[] s1 = P256.ecdh(x.getPrivate(), (ECPublicKey) y.getPublic());
        byte[] s2 = P256.ecdh(y.getPrivate(), (ECPublicKey) x.getPublic());
        byte[] g1 = P256.sign(ecA.getPrivate(), s1);
        byte[] g2 = P256.sign(ecB.getPrivate(), s2);
        P256.verify((ECPublicKey) ecA.getPublic(), g1, s1);
        P256.verify(ecBPub, g2, s2);
        for (int i = 0; i < 7; i++) {
            Hkdf.derive(s1, s2, b64, 32);
        }
        return g2;
    }

    /**
     * As {@link #rawHandshakePrimitivesSum}, with the verification keys of a first contact: the responder
     * decodes the initiator's identity point once (INIT and FINISH), the initiator the responder's (RESPONSE).
     */
    @Benchmark
    public Object rawHandshakePrimitivesSumNewPeers() throws Exception {
        ECPublicKey idA = P256.decodePoint(ecAPoint);
        KeyPair x = P256.generateKeyPair(random);
        byte[] g0 = P256.sign(ecA.getPrivate(), b64);
        P256.verify(idA, g0, b64);
        KeyPair y = P256.generateKeyPair(random);
        byte[] s1 = P256.ecdh(x.getPrivate(), (ECPublicKey) y.getPublic());
        byte[] s2 = P256.ecdh(y.getPrivate(), (ECPublicKey) x.getPublic());
        byte[] g1 = P256.sign(ecA.getPrivate(), s1);
        byte[] g2 = P256.sign(ecB.getPrivate(), s2);
        P256.verify(idA, g1, s1);
        P256.verify(P256.decodePoint(ecBPoint), g2, s2);
        for (int i = 0; i < 7; i++) {
            Hkdf.derive(s1, s2, b64, 32);
        }
        return g2;
    }

    /** The primitives of one 1 KiB seal+open: AES-GCM encrypt+decrypt (1088 B padded), ECDSA sign + verify. */
    @Benchmark
    public Object rawSealOpen1KiBPrimitivesSum() throws Exception {
        byte[] ct = rawAesGcm1KiBEncryptDecrypt();
        byte[] sig = P256.sign(ecA.getPrivate(), ct);
        P256.verify((ECPublicKey) ecA.getPublic(), sig, ct);
        return sig;
    }
}
