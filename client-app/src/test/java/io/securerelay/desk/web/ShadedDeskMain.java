package io.securerelay.desk.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;

/**
 * For {@link ShadedJarDeskIT}: starts a {@link DeskWebServer} over the in-memory desk from the class
 * path it is given (the shaded {@code client-app.jar}), prints its URI, and stops when stdin closes.
 */
public final class ShadedDeskMain {
    private ShadedDeskMain() {
    }

    public static void main(String[] args) throws IOException {
        InMemoryDesk desk = new InMemoryDesk(Clock.systemUTC());
        desk.addCustomer("Alice Martin", InMemoryDesk.fp('a'), "SECURE", Instant.now());
        ApiToken.Loaded token = ApiToken.load(Path.of(args[0]), new SecureRandom());
        try (DeskWebServer server = DeskWebServer.builder(desk, token.token()).port(0).start()) {
            System.out.println("DESK-WEB-URI " + server.uri());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // runs until the test closes stdin
            }
        }
    }
}
