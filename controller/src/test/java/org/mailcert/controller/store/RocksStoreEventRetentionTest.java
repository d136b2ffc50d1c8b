package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mailcert.controller.store.Fixtures.T0;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.testing.MutableClock;

/** {@link RocksStore#pruneEvents}: which prefix of the log goes, and what stays true after it. */
class RocksStoreEventRetentionTest {
    private static final long KEEP_ALL = Long.MAX_VALUE;

    @TempDir
    Path tmp;
    private final MutableClock clock = new MutableClock(T0);
    private RocksStore store;

    @BeforeEach
    void open() throws ControllerException {
        store = open(tmp, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static RocksStore open(Path root, MutableClock clock) throws ControllerException {
        return RocksStore.open(root.resolve("store"), MasterKey.loadOrCreate(root.resolve("master.key")), clock);
    }

    /** Appends one event per day, starting at the clock's time; the clock ends a day after the last. */
    private void appendDaily(int count) throws ControllerException {
        for (int i = 0; i < count; i++) {
            store.write(tx -> tx.appendEvent(Fixtures.draft("e", "mx1.example.com")));
            clock.advance(Duration.ofDays(1));
        }
    }

    private List<Long> seqs() {
        return store.events(0, "", 1000).stream().map(Event::seq).toList();
    }

    @Test
    void eventsOlderThanTheCutoffGoAndTheSequenceContinuesAfterReopen() throws Exception {
        appendDaily(4);

        assertEquals(2, store.pruneEvents(T0.plus(Duration.ofDays(2)), KEEP_ALL));

        assertEquals(List.of(3L, 4L), seqs());
        assertEquals(List.of(3L, 4L), store.eventsFrom(0, "", 10).stream().map(Event::seq).toList());
        assertEquals(4, store.lastEventSeq());
        store.close();
        store = open(tmp, clock);
        assertEquals(List.of(3L, 4L), seqs());
        assertEquals(5, store.write(tx -> tx.appendEvent(Fixtures.draft("after", ""))).seq(), "never reused");
        assertEquals(0, store.pruneEvents(T0.plus(Duration.ofDays(2)), KEEP_ALL), "nothing more to prune");
    }

    @Test
    void onlyTheNewestCountStay() throws Exception {
        appendDaily(10);

        assertEquals(7, store.pruneEvents(Instant.EPOCH, 3));

        assertEquals(List.of(8L, 9L, 10L), seqs());
    }

    @Test
    void eitherLimitDeletes() throws Exception {
        appendDaily(10);

        assertEquals(6, store.pruneEvents(T0.plus(Duration.ofDays(6)), 8), "age removes more than count here");
        assertEquals(List.of(7L, 8L, 9L, 10L), seqs());
        assertEquals(1, store.pruneEvents(T0, 3), "count removes more than age here");
        assertEquals(List.of(8L, 9L, 10L), seqs());
    }

    @Test
    void theNewestEventAlwaysStays() throws Exception {
        appendDaily(3);

        assertEquals(2, store.pruneEvents(T0.plus(Duration.ofDays(365)), 1));

        assertEquals(List.of(3L), seqs());
        assertEquals(3, store.lastEventSeq());
    }

    @Test
    void onlyAPrefixGoesWhenTheClockWentBack() throws Exception {
        clock.advance(Duration.ofDays(5));
        appendDaily(1);
        clock.advance(Duration.ofDays(-10));
        appendDaily(2);

        assertEquals(0, store.pruneEvents(T0.plus(Duration.ofDays(3)), KEEP_ALL),
                "the first event is new enough, so the older ones after it wait");
        assertEquals(List.of(1L, 2L, 3L), seqs());
    }

    @Test
    void anEmptyLogHasNothingToPrune() throws Exception {
        assertEquals(0, store.pruneEvents(T0.plus(Duration.ofDays(1)), 1));
        assertEquals(0, store.lastEventSeq());
    }
}
