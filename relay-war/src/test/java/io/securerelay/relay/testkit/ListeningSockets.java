package io.securerelay.relay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The sockets a process listens on, read from Linux' {@code /proc} as {@code ss -ltnup} would
 * show them: the inodes of the process' open sockets ({@code /proc/<pid>/fd}) matched with the
 * listening TCP sockets and the bound UDP sockets of {@code /proc/<pid>/net/{tcp,tcp6,udp,udp6}}.
 */
public final class ListeningSockets {

    /** One listening socket: {@code tcp} or {@code udp}, the local address as text, the port. */
    public record Listener(String protocol, String address, int port) {
        /** Whether the address is a loopback one (127.0.0.0/8, ::1, or IPv4-mapped 127.x). */
        public boolean loopback() {
            return address.startsWith("127.") || address.equals("::1") || address.startsWith("::ffff:127.");
        }

        /** Whether it listens on every interface (0.0.0.0 or ::). */
        public boolean anyAddress() {
            return address.equals("0.0.0.0") || address.equals("::");
        }

        @Override
        public String toString() {
            return protocol + " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }
    }

    private ListeningSockets() {
    }

    /** Every socket {@code pid} listens on (TCP) or is bound to without a peer (UDP). */
    public static List<Listener> of(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // the descriptor was closed meanwhile
                }
            }
        }
        List<Listener> found = new ArrayList<>();
        Path net = Path.of("/proc", Long.toString(pid), "net");
        read(net.resolve("tcp"), "tcp", "0A", inodes, found);
        read(net.resolve("tcp6"), "tcp", "0A", inodes, found);
        read(net.resolve("udp"), "udp", "07", inodes, found);
        read(net.resolve("udp6"), "udp", "07", inodes, found);
        return found;
    }

    private static void read(Path table, String protocol, String state, Set<String> inodes, List<Listener> found)
            throws IOException {
        if (!Files.exists(table)) {
            return;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            if (f.length < 10 || !f[3].equals(state) || !inodes.contains(f[9])) {
                continue;
            }
            String[] local = f[1].split(":");
            found.add(new Listener(protocol, address(local[0]), Integer.parseInt(local[1], 16)));
        }
    }

    /** The kernel's hex address (32-bit words in host order, little-endian here) as text. */
    static String address(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int k = 0; k < 4; k++) {
                int at = word * 8 + (3 - k) * 2;
                b[word * 4 + k] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        if (b.length == 4) {
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        mapped &= b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
        if (mapped) {
            return "::ffff:" + (b[12] & 0xFF) + "." + (b[13] & 0xFF) + "." + (b[14] & 0xFF) + "." + (b[15] & 0xFF);
        }
        try {
            String text = java.net.InetAddress.getByAddress(b).getHostAddress();
            return text.equals("0:0:0:0:0:0:0:0") ? "::" : text.equals("0:0:0:0:0:0:0:1") ? "::1" : text;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
