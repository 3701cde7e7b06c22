package io.securerelay.desk.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the desk's database is and how to log in: a JDBC URL, a user, and where the password is
 * (a file or an environment variable, read when the store opens). Immutable. The password itself is
 * never held here, never in {@link #toString()}, and never in an exception message; a URL carrying a
 * {@code password=} parameter is refused for that reason.
 *
 * <p>Two kinds of URL: {@code jdbc:h2:file:<absolute path>} (no settings: the store sets H2's itself)
 * and {@code jdbc:postgresql://host:port/db?sslmode=verify-full&sslrootcert=...}.
 */
public final class DeskDatabaseConfig {

    /** The database products the desk supports. */
    public enum Kind { H2, POSTGRESQL }

    /** The user of the default H2 database (H2 makes it the file's owner on creation). */
    public static final String H2_DEFAULT_USER = "desk";

    private static final String H2_PREFIX = "jdbc:h2:file:";
    private static final String PG_PREFIX = "jdbc:postgresql:";

    private final Kind kind;
    private final String url;
    private final String user;
    private final Path passwordFile; // null: no password file
    private final String passwordEnv; // null: no password variable
    private final Function<String, String> environment;

    private DeskDatabaseConfig(String url, String user, Path passwordFile, String passwordEnv,
            Function<String, String> environment) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = Objects.requireNonNull(user, "user");
        this.passwordFile = passwordFile;
        this.passwordEnv = passwordEnv;
        this.environment = environment;
        this.kind = kindOf(url);
        if (user.isBlank()) {
            throw new IllegalArgumentException("the database user is empty");
        }
    }

    /** The default: an H2 database {@code desk} in {@code dir} (made absolute), user {@value #H2_DEFAULT_USER}, no password. */
    public static DeskDatabaseConfig h2(Path dir) {
        return new DeskDatabaseConfig(H2_PREFIX + dir.toAbsolutePath().normalize().resolve("desk"),
                H2_DEFAULT_USER, null, null, System::getenv);
    }

    /** An H2 file database given by its URL ({@code jdbc:h2:file:<absolute path>}), user {@value #H2_DEFAULT_USER}, no password. */
    public static DeskDatabaseConfig h2Url(String url) {
        DeskDatabaseConfig c = new DeskDatabaseConfig(url, H2_DEFAULT_USER, null, null, System::getenv);
        if (c.kind != Kind.H2) {
            throw new IllegalArgumentException("not an H2 file URL: a PostgreSQL database needs a user and a password");
        }
        return c;
    }

    /** A database whose password is the content of {@code passwordFile} (one trailing line break ignored). */
    public static DeskDatabaseConfig withPasswordFile(String url, String user, Path passwordFile) {
        return new DeskDatabaseConfig(url, user, Objects.requireNonNull(passwordFile, "passwordFile"), null,
                System::getenv);
    }

    /** A database whose password is the value of the environment variable {@code variable}. */
    public static DeskDatabaseConfig withPasswordVariable(String url, String user, String variable) {
        return withPasswordVariable(url, user, variable, System::getenv);
    }

    /** As {@link #withPasswordVariable(String, String, String)}, reading variables from {@code environment}. */
    public static DeskDatabaseConfig withPasswordVariable(String url, String user, String variable,
            Function<String, String> environment) {
        if (Objects.requireNonNull(variable, "variable").isBlank()) {
            throw new IllegalArgumentException("the name of the password variable is empty");
        }
        return new DeskDatabaseConfig(url, user, null, variable, Objects.requireNonNull(environment, "environment"));
    }

    public Kind kind() {
        return kind;
    }

    /** The JDBC URL as given (it carries no password). */
    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    /** H2 only: the database file ({@code <path>.mv.db}). */
    Path h2File() {
        if (kind != Kind.H2) {
            throw new IllegalStateException("not an H2 database");
        }
        return Path.of(url.substring(H2_PREFIX.length()) + ".mv.db");
    }

    /** What the database is, for people: "H2 file /path/desk.mv.db", "PostgreSQL desk@127.0.0.1:5432/desk". */
    public String describe() {
        if (kind == Kind.H2) {
            return "H2 file " + h2File();
        }
        String rest = url.substring(PG_PREFIX.length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        if (!rest.startsWith("//")) {
            return "PostgreSQL " + user + "@localhost:5432/" + rest; // jdbc:postgresql:database
        }
        rest = rest.substring(2);
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String db = slash < 0 ? "" : rest.substring(slash + 1);
        if (hosts.isEmpty()) {
            hosts = "localhost";
        }
        if (hosts.indexOf(':') < 0 && !hosts.contains(",")) {
            hosts = hosts + ":5432";
        }
        return "PostgreSQL " + user + "@" + hosts + "/" + db;
    }

    /** The password, read now from its file or variable; "" when none is configured. Never logged. */
    String password() {
        if (passwordFile != null) {
            try {
                String p = new String(Files.readAllBytes(passwordFile), StandardCharsets.UTF_8);
                return p.endsWith("\r\n") ? p.substring(0, p.length() - 2)
                        : p.endsWith("\n") ? p.substring(0, p.length() - 1) : p;
            } catch (IOException e) {
                throw new DeskStoreException("cannot read the password file " + passwordFile + " of " + describe()
                        + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (passwordEnv != null) {
            String p = environment.apply(passwordEnv);
            if (p == null) {
                throw new DeskStoreException("the environment variable " + passwordEnv
                        + " that holds the password of " + describe() + " is not set");
            }
            return p;
        }
        return "";
    }

    private static Kind kindOf(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.contains("password=")) {
            // the URL itself is not repeated: it holds a secret
            throw new IllegalArgumentException("the database URL contains a password: put the password in a file"
                    + " or an environment variable instead");
        }
        if (url.startsWith(H2_PREFIX)) {
            String path = url.substring(H2_PREFIX.length());
            if (path.contains(";")) {
                throw new IllegalArgumentException("the H2 URL " + url + " has settings; give only"
                        + " jdbc:h2:file:<absolute path>, the desk sets H2's settings itself");
            }
            if (path.isEmpty() || !Path.of(path).isAbsolute()) {
                throw new IllegalArgumentException("the H2 URL " + url + " needs an absolute path");
            }
            return Kind.H2;
        }
        if (url.startsWith(PG_PREFIX)) {
            return Kind.POSTGRESQL;
        }
        throw new IllegalArgumentException("the desk keeps its data in an H2 file (jdbc:h2:file:<path>) or in"
                + " PostgreSQL (jdbc:postgresql://host:port/database); the URL given is neither");
    }

    @Override
    public String toString() {
        String secret = passwordFile != null ? ", password from file " + passwordFile
                : passwordEnv != null ? ", password from $" + passwordEnv : "";
        return "DeskDatabaseConfig[" + describe() + secret + "]";
    }
}
