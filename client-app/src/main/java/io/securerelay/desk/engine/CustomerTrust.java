package io.securerelay.desk.engine;

import io.securerelay.desk.store.DeskStore;
import io.securerelay.desk.store.DeskStoreException;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.relay.SessionId;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The trust store one conversation sees: the customer that calls from {@code sessionId}, in the
 * desk's database. A customer is its session ID (stable: the client derives its routing key from
 * its storage secret) and the identity key pinned for it:
 * <ul>
 *   <li>a session ID never seen: trust on first use, or the registered customer whose key it presents
 *       (registered from its {@code *_public_identity_key.json} and not seen before);
 *   <li>a known session ID with its pinned key: trusted;
 *   <li>a known session ID with another key: refused ({@link UntrustedIdentityException} with both
 *       fingerprints), and the customer marked KEY_CHANGED with the presented key, until an agent
 *       re-trusts it;
 *   <li>a key that is already another session ID's customer: refused (one key, one customer).
 * </ul>
 * Called on the conversation's loop (the handshake).
 */
final class CustomerTrust implements PeerTrustStore {

    /** What the engine does when the store's answer names the customer. */
    interface Binding {
        /** The conversation is (now) the one of {@code customer}. */
        void bound(DeskStore.Customer customer, boolean firstContact);

        /** {@code customer} presented another key than its pinned one. */
        void keyChanged(DeskStore.Customer customer);
    }

    static final String ROLE = "customer";
    private static final Path DATABASE = Path.of("desk database");

    private final DeskStore store;
    private final SessionId sessionId;
    private final Binding binding;
    private final Clock clock;

    CustomerTrust(DeskStore store, SessionId sessionId, Binding binding, Clock clock) {
        this.store = store;
        this.sessionId = sessionId;
        this.binding = binding;
        this.clock = clock;
    }

    @Override
    public String peerRole() {
        return ROLE;
    }

    @Override
    public Optional<IdentityPublicKey> stored() throws KeyFileException {
        return known().map(DeskStore.Customer::publicKey);
    }

    @Override
    public boolean check(IdentityPublicKey presented) throws UntrustedIdentityException, KeyFileException {
        Optional<DeskStore.Customer> c = known();
        if (c.isEmpty()) {
            Optional<DeskStore.Customer> owner = byKey(presented);
            if (owner.isPresent() && owner.get().sessionId() != null) {
                throw new KeyFileException(DATABASE, "this identity key is customer " + owner.get().id()
                        + "'s, who calls from session " + owner.get().sessionId().shortForm()
                        + "; a second session ID with the same key is refused");
            }
            return false;
        }
        if (c.get().publicKey().equals(presented)) {
            return true;
        }
        DeskStore.Customer changed;
        try {
            changed = store.keyChanged(c.get().id(), presented, clock.instant());
        } catch (DeskStoreException e) {
            throw new KeyFileException(DATABASE, e.getMessage(), e);
        }
        binding.keyChanged(changed);
        throw new UntrustedIdentityException(ROLE, c.get().publicKey(), presented);
    }

    @Override
    public TrustResult trust(IdentityPublicKey presented) throws UntrustedIdentityException, KeyFileException {
        boolean pinned = check(presented);
        try {
            if (pinned) {
                binding.bound(known().orElseThrow(), false);
                return new TrustResult(false, presented.fingerprint(), presented);
            }
            Optional<DeskStore.Customer> registered = byKey(presented);
            if (registered.isPresent()) {
                binding.bound(store.bindSession(registered.get().id(), sessionId, clock.instant()), true);
                return new TrustResult(false, presented.fingerprint(), presented);
            }
            String label = "Customer " + presented.fingerprint().substring(0, Math.min(9, presented.fingerprint().length()));
            binding.bound(store.addCustomer(label, sessionId, presented, clock.instant()), true);
            return new TrustResult(true, presented.fingerprint(), presented);
        } catch (DeskStoreException e) {
            throw new KeyFileException(DATABASE, e.getMessage(), e);
        }
    }

    @Override
    public TrustResult retrust(IdentityPublicKey newKey) throws KeyFileException {
        try {
            DeskStore.Customer c = known().orElseThrow(() -> new KeyFileException(DATABASE,
                    "no customer calls from session " + sessionId.shortForm()));
            if (!c.publicKey().equals(newKey)) {
                c = store.retrust(c.id(), newKey, clock.instant());
            }
            binding.bound(c, false);
            return new TrustResult(true, newKey.fingerprint(), newKey);
        } catch (DeskStoreException e) {
            throw new KeyFileException(DATABASE, e.getMessage(), e);
        }
    }

    private Optional<DeskStore.Customer> known() throws KeyFileException {
        try {
            return store.customerBySession(sessionId);
        } catch (DeskStoreException e) {
            throw new KeyFileException(DATABASE, e.getMessage(), e);
        }
    }

    private Optional<DeskStore.Customer> byKey(IdentityPublicKey key) throws KeyFileException {
        try {
            return store.customerByKey(key);
        } catch (DeskStoreException e) {
            throw new KeyFileException(DATABASE, e.getMessage(), e);
        }
    }
}
