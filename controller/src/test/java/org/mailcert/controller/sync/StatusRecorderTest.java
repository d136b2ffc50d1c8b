package org.mailcert.controller.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.testing.Controllers;

/** Agent reports: a lone one is written at once, those that follow within the window together. */
class StatusRecorderTest {
    private static final String HOST = "mx1.example.com";
    /** Long enough that nothing but the leading edge or an explicit flush writes within a test. */
    private static final long WINDOW_MILLIS = 60_000;

    @TempDir
    Path dir;
    private Controllers c;
    private ScheduledExecutorService executor;
    private StatusRecorder recorder;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        c.declareHost(HOST);
        executor = Executors.newSingleThreadScheduledExecutor();
        recorder = new StatusRecorder(c.store, executor, WINDOW_MILLIS);
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        c.close();
    }

    private long applied() {
        return c.store.hostStatus(HOST).appliedVersion();
    }

    private void awaitApplied(long version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (applied() != version && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(version, applied());
    }

    @Test
    void aLoneReportIsWrittenAtOnceAndTheNextWaitsForTheWindow() throws Exception {
        recorder.record(HOST, (s, now) -> s.applied(now, 7), null);
        awaitApplied(7);

        recorder.record(HOST, (s, now) -> s.applied(now, 8), null);
        recorder.record(HOST, (s, now) -> s.applied(now, 9), null);
        Thread.sleep(300);
        assertEquals(7, applied(), "reports within the window after a write wait for it");

        recorder.flush();
        assertEquals(9, applied(), "both in one batch, in order");
    }
}
