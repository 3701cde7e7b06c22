package io.securerelay.protocol;

import io.securerelay.protocol.relay.SessionId;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.identity.PeerTrustStore;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Shared fixtures: identities, a settable clock, a deterministic random, a handshake driver. */
final class TestSupport {
    static final SecureRandom RANDOM = new SecureRandom();
    static final IdentityKeyPair ALICE = IdentityKeyPair.generate(RANDOM);
    static final IdentityKeyPair BOB = IdentityKeyPair.generate(RANDOM);
    static final IdentityKeyPair MALLORY = IdentityKeyPair.generate(RANDOM);

    private TestSupport() {
    }

    /** A clock tests move by hand. */
    static final class FakeClock extends Clock {
        private Instant now;

        FakeClock(Instant start) {
            this.now = start;
        }

        FakeClock() {
            this(Instant.parse("2025-01-01T00:00:00Z"));
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** SHA-256 counter-mode byte stream: same seed, same bytes (worked example, reproducible runs). */
    static final class DeterministicRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;
        private long counter;

        DeterministicRandom(String seed) {
            super(new byte[0]);
            this.seed = seed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void nextBytes(byte[] out) {
            try {
                int pos = 0;
                while (pos < out.length) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    md.update(seed);
                    md.update(ByteBuffer.allocate(8).putLong(counter++).array());
                    byte[] block = md.digest();
                    int n = Math.min(block.length, out.length - pos);
                    System.arraycopy(block, 0, out, pos, n);
                    pos += n;
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public byte[] generateSeed(int n) {
            byte[] b = new byte[n];
            nextBytes(b);
            return b;
        }

        @Override
        public void setSeed(long s) {
            // ignored: deterministic
        }
    }

    /** Both ends of one handshake plus their trust stores. */
    static final class Pair {
        final SessionId sidA = SessionId.random(RANDOM);
        final SessionId sidB = SessionId.random(RANDOM);
        final PeerTrustStore aTrust;
        final PeerTrustStore bTrust;
        final InitiatorHandshake a;
        final ResponderHandshake b;
        final FakeClock clock;

        Pair() {
            this(SessionPolicy.DEFAULT, new FakeClock(), new InMemoryPeerTrustStore("bob"), new InMemoryPeerTrustStore("alice"));
        }

        Pair(SessionPolicy policy, FakeClock clock, PeerTrustStore aTrust, PeerTrustStore bTrust) {
            this(policy, clock, aTrust, bTrust, ALICE, BOB, RANDOM);
        }

        Pair(SessionPolicy policy, FakeClock clock, PeerTrustStore aTrust, PeerTrustStore bTrust,
                IdentityKeyPair alice, IdentityKeyPair bob, SecureRandom random) {
            this.clock = clock;
            this.aTrust = aTrust;
            this.bTrust = bTrust;
            this.a = Handshake.initiator(alice, sidA, sidB, aTrust, policy, clock, random);
            this.b = Handshake.responder(bob, sidB, sidA, bTrust, policy, clock, random);
        }

        /** Runs the three messages; returns {alice session, bob session}. */
        SecureSession[] run() throws Exception {
            byte[] init = a.createInit();
            byte[] response = b.receiveInit(init);
            byte[] finish = a.receiveResponse(response);
            b.receiveFinish(finish);
            return new SecureSession[] {a.session(), b.session()};
        }
    }

    static byte[] flip(byte[] m, int i) {
        byte[] c = m.clone();
        c[i] ^= 0x01;
        return c;
    }
}
