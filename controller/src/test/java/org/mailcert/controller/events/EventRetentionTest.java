package org.mailcert.controller.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.store.MasterKey;
import org.mailcert.controller.store.RocksStore;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.testing.MutableClock;

/** The event log's limits: what they accept, and that pruning follows the clock and is counted. */
class EventRetentionTest {
    @TempDir
    Path tmp;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Store store;

    @BeforeEach
    void open() throws Exception {
        store = RocksStore.open(tmp.resolve("store"), MasterKey.loadOrCreate(tmp.resolve("master.key")), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void append(int count, Duration apart) throws Exception {
        for (int i = 0; i < count; i++) {
            store.write(tx -> tx.appendEvent(Event.draft("test", "e", "", "", "")));
            clock.advance(apart);
        }
    }

    @Test
    void limitsBelowTheMinimumAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EventRetention.Limits(Duration.ofHours(23), 1_000));
        assertThrows(IllegalArgumentException.class, () -> new EventRetention.Limits(Duration.ofDays(1), 999));
        assertEquals(Duration.ofDays(1), new EventRetention.Limits(Duration.ofDays(1), 1_000).maxAge());
        assertEquals(new EventRetention.Limits(Duration.ofDays(365), 1_000_000), EventRetention.Limits.DEFAULT);
    }

    @Test
    void pruningDeletesWhatIsOlderThanTheAgeLimitByTheClockAndCountsIt() throws Exception {
        EventRetention retention = new EventRetention(store, clock, new EventRetention.Limits(Duration.ofDays(2), 1_000));
        append(5, Duration.ofDays(1));

        assertEquals(3, retention.prune(), "the clock is at day 5: the events of days 0 to 2 are over 2 days old");
        assertEquals(List.of(4L, 5L), store.events(0, "", 10).stream().map(Event::seq).toList());
        clock.advance(Duration.ofDays(1));
        assertEquals(1, retention.prune());
        assertEquals(4, retention.pruned());
    }

    @Test
    void pruningKeepsTheNewestCount() throws Exception {
        EventRetention retention = new EventRetention(store, clock, new EventRetention.Limits(Duration.ofDays(365),
                1_000));
        append(1_010, Duration.ofSeconds(1));

        assertEquals(10, retention.prune());
        assertEquals(11, store.eventsFrom(0, "", 1).get(0).seq());
    }

    @Test
    void startSchedulesTheFirstPruningAboutAMinuteAfterStart() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        try {
            new EventRetention(store, clock, EventRetention.Limits.DEFAULT).start(timer);

            assertEquals(1, timer.getQueue().size());
            long delay = ((ScheduledFuture<?>) timer.getQueue().peek()).getDelay(TimeUnit.SECONDS);
            assertTrue(delay > 50 && delay <= 60, "first run in about a minute, not in " + delay + " s");
        } finally {
            timer.shutdownNow();
        }
    }
}
