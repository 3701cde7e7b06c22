package io.securerelay.desk.store;

import io.securerelay.client.internal.Outbox;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The process the kill test kills: opens the desk's database, then stores OUT and IN messages of
 * one customer in a loop and prints each number once its transaction returned ("OUT 7", "IN 7",
 * "ACK 5"), until it is killed. Arguments: {@code h2 <dir> <customer>} or
 * {@code pg <url> <user> <password variable> <customer>}.
 */
public final class KillChild {
    private KillChild() {
    }

    public static void main(String[] args) throws Exception {
        DeskDatabaseConfig config = "h2".equals(args[0]) ? DeskDatabaseConfig.h2(Path.of(args[1]))
                : DeskDatabaseConfig.withPasswordVariable(args[1], args[2], args[3]);
        long customer = Long.parseLong(args[args.length - 1]);
        Clock clock = Clock.systemUTC();
        JdbcDeskStore store = JdbcDeskStore.open(config, clock);
        Outbox outbox = store.outbox(customer);
        System.out.println("READY " + outbox.nextOut() + " " + outbox.lastIn());
        System.out.flush();
        for (int i = 0; i < 1_000_000; i++) {
            Outbox.Pending p = outbox.enqueue("out " + i + " \u00fc\u20ac", clock.millis());
            System.out.println("OUT " + p.number());
            long in = outbox.lastIn() + 1;
            outbox.delivered(in, clock.millis(), "in " + in);
            System.out.println("IN " + in);
            if (p.number() % 7 == 0) {
                outbox.acknowledged(p.number() - 3);
                System.out.println("ACK " + outbox.ackedOut());
            }
            System.out.flush();
        }
        store.close();
    }
}
