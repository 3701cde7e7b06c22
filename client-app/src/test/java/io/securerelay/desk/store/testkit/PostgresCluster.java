package io.securerelay.desk.store.testkit;

import io.securerelay.desk.store.DeskDatabaseConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of its own for tests: {@code initdb} in a temporary folder, listening on a
 * free port on 127.0.0.1 only, its Unix socket in that folder, TLS required ({@code pg_hba.conf} has
 * only {@code hostssl ... scram-sha-256}; the certificate from {@link TestTls}), a superuser
 * {@code postgres} with a random password for the kit's own set-up, and the desk's least-privilege
 * role {@value #DESK_ROLE} (LOGIN, nothing else) owning only the schema {@code desk} of each
 * database made by {@link #newDeskDatabase()}.
 *
 * <p>PostgreSQL refuses to run as root: as root the programs run as the OS user {@code postgres}
 * (Debian's package creates it) through {@code runuser}, on a folder owned by that user.
 */
public final class PostgresCluster implements AutoCloseable {
    public static final String DESK_ROLE = "desk";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path bin;
    private final Path base;
    private final Path data;
    private final TestTls tls;
    private final String superPassword;
    private final String deskPassword;
    private final Path deskPasswordFile;
    private final AtomicInteger databases = new AtomicInteger();
    private int port;

    private PostgresCluster(Path bin, Path base) throws Exception {
        this.bin = bin;
        this.base = base;
        this.data = base.resolve("data");
        this.tls = TestTls.write(base.resolve("tls"), "desk test CA");
        this.superPassword = secret();
        this.deskPassword = secret();
        this.deskPasswordFile = base.resolve("desk.password");
        Files.writeString(deskPasswordFile, deskPassword + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(deskPasswordFile, PosixFilePermissions.fromString("rw-------"));
    }

    /** PostgreSQL's program folder ({@code pg_config --bindir}, else the newest /usr/lib/postgresql/N/bin), if installed. */
    public static Optional<Path> binDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(Path.of(out, "initdb"))) {
                return Optional.of(Path.of(out));
            }
        } catch (IOException e) {
            // no pg_config: look in Debian's place
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path lib = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(lib)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(lib)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int version(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether the tests must have PostgreSQL (CI=true): then a missing server is a failure, not a skip. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Creates, configures and starts a new cluster; the caller closes it. */
    public static PostgresCluster start(Path bin) throws Exception {
        Path base = Files.createTempDirectory("desk-pg-");
        PostgresCluster pg = new PostgresCluster(bin, base);
        try {
            pg.initdb();
            pg.startServer();
            pg.createDeskRole();
            return pg;
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
    }

    private void initdb() throws Exception {
        Path pwfile = base.resolve("superuser.password");
        Files.writeString(pwfile, superPassword + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(base.resolve("sock"));
        if (ROOT) {
            chownTree(base, "postgres");
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C", "--no-sync"));
        Files.delete(pwfile);
        Files.writeString(data.resolve("pg_hba.conf"),
                "# Only TLS, only from loopback, only SCRAM (written by the desk's test kit)\n"
                        + "hostssl all all 127.0.0.1/32 scram-sha-256\n",
                StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private void startServer() throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = freePort();
            Files.writeString(data.resolve("postgresql.auto.conf"),
                    "listen_addresses = '127.0.0.1'\n"
                            + "port = " + port + "\n"
                            + "unix_socket_directories = '" + base.resolve("sock") + "'\n"
                            + "ssl = on\n"
                            + "ssl_cert_file = '" + tls.serverCert + "'\n"
                            + "ssl_key_file = '" + tls.serverKey + "'\n"
                            + "ssl_min_protocol_version = 'TLSv1.2'\n"
                            + "password_encryption = 'scram-sha-256'\n"
                            + "shared_buffers = '16MB'\n"
                            + "max_connections = 40\n",
                    StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                        base.resolve("server.log").toString(), "-w", "-t", "60", "start"));
                return;
            } catch (IOException e) {
                last = e; // the port was taken between the probe and the start: try another
            }
        }
        throw last;
    }

    private void createDeskRole() throws SQLException {
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + DESK_ROLE + " LOGIN PASSWORD '" + deskPassword + "' NOSUPERUSER NOCREATEDB"
                    + " NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT 30");
            s.execute("REVOKE ALL ON DATABASE postgres FROM PUBLIC");
        }
    }

    /**
     * A new, empty database for the desk: owned by the superuser, the desk may only connect, and owns
     * its schema {@code desk} (its search path); {@code public} is closed to it.
     * @return the desk's configuration for it (password from a file, TLS with verify-full)
     */
    public DeskDatabaseConfig newDeskDatabase() throws SQLException {
        String db = "desk_" + databases.incrementAndGet();
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db + " OWNER postgres ENCODING 'UTF8' TEMPLATE template0");
            s.execute("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
            s.execute("GRANT CONNECT ON DATABASE " + db + " TO " + DESK_ROLE);
            s.execute("ALTER ROLE " + DESK_ROLE + " IN DATABASE " + db + " SET search_path = desk");
        }
        try (Connection c = superuser(db); Statement s = c.createStatement()) {
            s.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC");
            s.execute("CREATE SCHEMA desk AUTHORIZATION " + DESK_ROLE);
        }
        return DeskDatabaseConfig.withPasswordFile(url(db, "verify-full"), DESK_ROLE, deskPasswordFile);
    }

    /** The JDBC URL of {@code db} on this server with {@code sslmode} and the test CA. */
    public String url(String db, String sslmode) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?sslmode=" + sslmode + "&sslrootcert="
                + tls.caPem + "&sslcert=" + base.resolve("no-client-cert") + "&connectTimeout=30";
    }

    /** A connection of the superuser (the kit's set-up and checks only), over verified TLS. */
    public Connection superuser(String db) throws SQLException {
        return connect(url(db, "verify-full"), "postgres", superPassword);
    }

    /** A connection of the desk's role to {@code db}, over verified TLS. */
    public Connection desk(String db) throws SQLException {
        return connect(url(db, "verify-full"), DESK_ROLE, deskPassword);
    }

    public static Connection connect(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(url, p);
    }

    public int port() {
        return port;
    }

    public String deskPassword() {
        return deskPassword;
    }

    public Path deskPasswordFile() {
        return deskPasswordFile;
    }

    /** The database name in a desk configuration's URL. */
    public static String database(DeskDatabaseConfig config) {
        String u = config.url();
        int slash = u.indexOf('/', "jdbc:postgresql://".length());
        int q = u.indexOf('?');
        return u.substring(slash + 1, q < 0 ? u.length() : q);
    }

    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60",
                        "stop"));
            }
        } finally {
            deleteTree(base);
        }
    }

    private void run(List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (ROOT) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Path out = base.resolve("command.out");
        Process p = new ProcessBuilder(cmd).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            String log = Files.exists(base.resolve("server.log")) ? Files.readString(base.resolve("server.log")) : "";
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                    + Files.readString(out) + log);
        }
    }

    private static void chownTree(Path root, String user) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                PosixFileAttributeView v = Files.getFileAttributeView(f, PosixFileAttributeView.class);
                v.setOwner(owner);
                v.setGroup(group);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path f : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String secret() {
        StringBuilder b = new StringBuilder();
        String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        for (int i = 0; i < 24; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
