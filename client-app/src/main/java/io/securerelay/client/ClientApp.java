package io.securerelay.client;

import io.securerelay.client.internal.BatchRun;
import io.securerelay.client.internal.Conversation;
import io.securerelay.client.internal.ExecutorEventLoop;
import io.securerelay.client.internal.FileOutbox;
import io.securerelay.client.internal.Outbox;
import io.securerelay.client.internal.RelayLink;
import io.securerelay.client.internal.Tls;
import io.securerelay.client.internal.UserCommands;
import io.securerelay.client.internal.UserIo;
import io.securerelay.crypto.CryptoProviders;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.keystore.FilePeerTrustStore;
import io.securerelay.keystore.IdentityKeyFiles;
import io.securerelay.keystore.LocalIdentity;
import io.securerelay.keystore.PasswordPrompt;
import io.securerelay.keystore.RoutingKeyFiles;
import io.securerelay.keystore.ScryptParams;
import io.securerelay.keystore.WrongPasswordException;
import io.securerelay.protocol.SessionPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The client application (a CDI bean): loads the identity, sets up TLS and the conversation
 * store, connects, and runs the conversation until the user quits or a batch run is done.
 */
@ApplicationScoped
public class ClientApp {

    private static final Logger LOG = Logger.getLogger(ClientApp.class.getName());

    @Inject
    CryptoProviders providers;

    /**
     * Runs the client with {@code options}, reading user input from {@code in} and writing to
     * {@code out}; returns the exit code (see {@link ExitCodes}).
     */
    public int run(ClientOptions options, java.io.InputStream in, PrintStream out) throws InterruptedException {
        SecureRandom random = providers.secureRandom();
        Clock clock = providers.clock();
        UserIo io = new UserIo(out, options.batch(), options.peerRole());

        LocalIdentity local;
        try {
            local = IdentityKeyFiles.loadOrCreateLocal(options.keyDir(), options.role(), passwordPrompt(options, out),
                    ScryptParams.DEFAULT, random);
        } catch (WrongPasswordException e) {
            io.problem("key-file", e.getMessage());
            return ExitCodes.KEY_FILE;
        } catch (KeyFileException e) {
            io.problem("key-file", e.getMessage());
            return ExitCodes.KEY_FILE;
        }
        IdentityKeyPair identity = local.identity();
        io.securerelay.protocol.relay.RoutingKey routingKey;
        try {
            routingKey = RoutingKeyFiles.loadOrCreate(options.keyDir(), options.role(), random);
        } catch (KeyFileException e) {
            io.problem("key-file", e.getMessage());
            return ExitCodes.KEY_FILE;
        }
        io.identity(options.role(), identity.publicKey().fingerprint());

        SSLContext tls;
        try {
            tls = Tls.context(options.caFile(), options.pinSha256(), options.clientCert(), clientCertPassword(options));
        } catch (Tls.TlsSetupException e) {
            io.problem("tls", e.getMessage());
            return ExitCodes.TLS;
        }

        Outbox store;
        try {
            String purpose = "outbox/" + options.role();
            store = FileOutbox.open(options.keyDir(), options.role(), local.storage().deriveKey(purpose),
                    local.legacyKeyToReadOldData(purpose).orElse(null), random);
        } catch (Outbox.StoreException e) {
            io.problem("storage", e.getMessage());
            return ExitCodes.KEY_FILE;
        }

        ScheduledExecutorService actor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conversation");
            t.setDaemon(true);
            return t;
        });
        Conversation conversation = new Conversation(options.peerRole(), options.peer(), identity,
                new FilePeerTrustStore(options.keyDir(), options.peerRole()), store, io, new ExecutorEventLoop(actor),
                random, clock, SessionPolicy.DEFAULT, new Conversation.DummySchedule(options.dummyMin(), options.dummyMax()),
                options.batch() ? new BatchRun(options.expect(), options.deadline()) : null);
        RelayLink link = new RelayLink(options.relays(), tls, routingKey,
                conversation, actor, random);
        try {
            conversation.start(link);
            if (!options.batch()) {
                io.info("Type a message and press Enter to send it; /help lists the commands.");
            }
            startInput(options, in, new UserCommands(conversation, io), store.nextOut());
            return conversation.finished().get();
        } catch (ExecutionException e) {
            throw new AssertionError("the conversation future never fails", e);
        } finally {
            link.close();
            actor.shutdownNow();
            actor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Feeds the conversation from the script file (restart-safe) or from {@code in}. */
    private static void startInput(ClientOptions options, java.io.InputStream in, UserCommands conversation,
            long nextNumber) {
        Thread reader = new Thread(() -> {
            try {
                if (options.script() != null) {
                    // Line N of the script is message N: after a restart, lines already queued are skipped.
                    long line = 0;
                    try (BufferedReader r = Files.newBufferedReader(options.script(), StandardCharsets.UTF_8)) {
                        for (String text; (text = r.readLine()) != null; ) {
                            line++;
                            if (line >= nextNumber) {
                                conversation.userLine(text);
                            }
                        }
                    }
                } else {
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    for (String text; (text = r.readLine()) != null; ) {
                        conversation.userLine(text);
                    }
                }
            } catch (IOException e) {
                LOG.warning("input: " + e.getMessage());
            }
            conversation.inputEnded();
        }, "input");
        reader.setDaemon(true);
        reader.start();
    }

    private static PasswordPrompt passwordPrompt(ClientOptions options, PrintStream out) {
        return (file, creating) -> {
            if (creating && !options.protectKey()) {
                return null;
            }
            if (options.passwordEnv() != null) {
                String v = System.getenv(options.passwordEnv());
                return v == null ? null : v.toCharArray();
            }
            java.io.Console console = System.console();
            if (console == null) {
                return null;
            }
            return console.readPassword(creating
                    ? "New password for %s (it protects your private key): " : "Password for %s: ", file.getFileName());
        };
    }

    /** The client certificate's password, from the environment or a file; null if none is given. */
    private static char[] clientCertPassword(ClientOptions options) throws Tls.TlsSetupException {
        if (options.clientCertPasswordEnv() != null) {
            String v = System.getenv(options.clientCertPasswordEnv());
            if (v == null) {
                throw new Tls.TlsSetupException("the environment variable " + options.clientCertPasswordEnv()
                        + " (--client-cert-password-env) is not set");
            }
            return v.toCharArray();
        }
        if (options.clientCertPasswordFile() != null) {
            try {
                List<String> lines = Files.readAllLines(options.clientCertPasswordFile(), StandardCharsets.UTF_8);
                return lines.isEmpty() ? new char[0] : lines.get(0).toCharArray();
            } catch (IOException e) {
                throw new Tls.TlsSetupException("cannot read the client certificate password file "
                        + options.clientCertPasswordFile().toAbsolutePath() + ": " + e.getMessage());
            }
        }
        return null;
    }

    public static Path defaultKeyDir() {
        return Path.of(System.getProperty("user.home"), ".secure-relay", "keys");
    }
}
