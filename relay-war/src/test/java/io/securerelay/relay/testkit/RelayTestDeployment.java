package io.securerelay.relay.testkit;

import java.io.File;
import java.net.URI;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * What every relay IT deploys and where it finds it: the WAR exactly as {@code package} built it,
 * on the TLS port the build reserved ({@code relay.test.sslport}).
 */
public final class RelayTestDeployment {

    private RelayTestDeployment() {
    }

    /** The built relay.war (system property {@code relay.war}), for {@code @Deployment(testable = false)}. */
    public static WebArchive builtWar() {
        return ShrinkWrap.create(ZipImporter.class, "relay.war")
                .importFrom(new File(System.getProperty("relay.war")))
                .as(WebArchive.class);
    }

    /** {@code https://localhost:<sslport>}. */
    public static String httpsBase() {
        return "https://localhost:" + System.getProperty("relay.test.sslport");
    }

    /** {@code wss://localhost:<sslport>/relay}. */
    public static URI relayUri() {
        return URI.create("wss://localhost:" + System.getProperty("relay.test.sslport") + "/relay");
    }
}
