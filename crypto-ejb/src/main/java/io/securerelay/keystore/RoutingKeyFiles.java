package io.securerelay.keystore;

import io.securerelay.identity.KeyFileException;
import io.securerelay.keystore.internal.JsonFiles;
import io.securerelay.protocol.relay.RoutingKey;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The routing key a client keeps across runs, in {@code <role>_routing_key.json}, so that its
 * session ID stays the same: customers save the bank's ID once, and the bank desk knows a customer
 * by the session ID it calls from (another identity key from a known session ID is a changed key,
 * not a new customer).
 * <pre>{ "version": 1, "role": "bank", "private_scalar": "&lt;base64 of 32 bytes&gt;" }</pre>
 * Owner-only (0600, refused otherwise), written once (never replaced: a corrupt file is reported
 * and left as it is). Whoever holds it can take over the session ID at the relay (and so keep
 * frames from reaching this client), never read or forge a message: that needs the identity key.
 */
public final class RoutingKeyFiles {

    private static final int VERSION = 1;
    private static final String WHAT = "routing key file";

    private RoutingKeyFiles() {
    }

    /** @return {@code <role>_routing_key.json} */
    public static String fileName(String role) {
        return Roles.check(role) + "_routing_key.json";
    }

    /**
     * The routing key of {@code role} in {@code dir}: read, or made and written if there is none.
     * @throws KeyFileException if the file is unreadable, corrupt, of another role or version, or
     *         readable by others; it is left as it is
     */
    public static RoutingKey loadOrCreate(Path dir, String role, SecureRandom random) throws KeyFileException {
        Path file = dir.resolve(fileName(role));
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            RoutingKey created = RoutingKey.generate(random);
            byte[] scalar = created.privateScalar();
            try {
                JsonObject o = Json.createObjectBuilder()
                        .add("version", VERSION)
                        .add("role", role)
                        .add("private_scalar", Base64.getEncoder().encodeToString(scalar))
                        .build();
                AtomicFiles.write(file, JsonFiles.toBytes(o), false);
                return created;
            } catch (FileAlreadyExistsException raced) {
                // another process made it meanwhile: use that one
            } catch (IOException e) {
                throw new KeyFileException(file, "cannot write the " + WHAT);
            } finally {
                Arrays.fill(scalar, (byte) 0);
            }
        }
        byte[] bytes = KeyFileChecks.readOwnerOnly(file, WHAT);
        byte[] scalar = null;
        try {
            JsonObject o = JsonFiles.parseObject(bytes);
            KeyFileChecks.version(file, o, "the " + WHAT, VERSION);
            if (!role.equals(JsonFiles.requireString(o, "role"))) {
                throw new KeyFileException(file, "the " + WHAT + " is for another role; it was left as it is");
            }
            scalar = Base64.getDecoder().decode(JsonFiles.requireString(o, "private_scalar"));
            return RoutingKey.fromPrivateScalar(scalar);
        } catch (IOException | IllegalArgumentException e) {
            throw new KeyFileException(file, "corrupt " + WHAT + "; it was left as it is (move it aside to get a new"
                    + " session ID: whoever saved the old one must then be given the new one)");
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (scalar != null) {
                Arrays.fill(scalar, (byte) 0);
            }
        }
    }
}
