package org.mailcert.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.store.MasterKey;
import org.mailcert.controller.store.RocksStore;
import org.mailcert.controller.store.Store;

/**
 * The event log's retention on a backlog: appends N events (in writes of 1,000, as a busy fleet would
 * over months) to a new store in a temp dir, then times the first pruning down to the newest 1,000, which
 * holds the store's write lock, a second pruning with nothing to do (the hourly steady state) and a
 * listing of the newest 100 across the deleted range. Usage: {@code EventPruneBench N}.
 */
public final class EventPruneBench {
    private static final int BATCH = 1_000;
    private static final long KEEP = 1_000;

    private EventPruneBench() {
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("mailcert-prune-bench");
        try (Closer closer = new Closer(dir)) {
            Store store = RocksStore.open(dir.resolve("store"), MasterKey.loadOrCreate(dir.resolve("master.key")),
                    Clock.systemUTC());
            closer.store = store;
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i += BATCH) {
                store.write(tx -> {
                    for (int j = 0; j < BATCH; j++) {
                        tx.appendEvent(Event.draft("bench", "binding.installed", "mx1.example.com",
                                "mail/example.com", "installed version 3 of example-com (postfix, dovecot)"));
                    }
                    return null;
                });
            }
            long t1 = System.nanoTime();
            long pruned = store.pruneEvents(Instant.EPOCH, KEEP);
            long t2 = System.nanoTime();
            long again = store.pruneEvents(Instant.EPOCH, KEEP);
            long t3 = System.nanoTime();
            int listed = store.events(0, "", 100).size();
            long t4 = System.nanoTime();
            System.out.printf("events=%d append_s=%.2f pruned=%d prune_s=%.3f second_pruned=%d second_prune_ms=%.2f"
                    + " list_newest_100=%d list_ms=%.2f%n", n, (t1 - t0) / 1e9, pruned, (t2 - t1) / 1e9, again,
                    (t3 - t2) / 1e6, listed, (t4 - t3) / 1e6);
        }
    }

    /** Closes the store and deletes the temp dir. */
    private static final class Closer implements AutoCloseable {
        private final Path dir;
        private Store store;

        Closer(Path dir) {
            this.dir = dir;
        }

        @Override
        public void close() throws Exception {
            if (store != null) {
                store.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
