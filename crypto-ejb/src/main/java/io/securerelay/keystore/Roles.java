package io.securerelay.keystore;

/** Role names become file names, so they are restricted to a safe alphabet. */
final class Roles {
    private Roles() {
    }

    static String check(String role) {
        if (role == null || !role.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
            throw new IllegalArgumentException("role must match [a-z0-9][a-z0-9_-]{0,31}");
        }
        return role;
    }
}
