package org.mailcert.controller.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.HostFacts;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.testing.Controllers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's leading-edge debounce: a lone change is pushed at once, a burst becomes one update. */
class SyncHubTest {
    private static final String HOST = "mx1.example.com";
    private static final long WINDOW_MILLIS = 60_000;

    @TempDir
    Path dir;
    private Controllers c;
    private RecordingExecutor executor;
    private SyncHub hub;
    private final BlockingQueue<StateUpdate> sent = new LinkedBlockingQueue<>();

    /**
     * Runs tasks for real and records the delay of each push it was given (the agent-report
     * batches, {@link StatusRecorder.Flush} tasks on the same executor, are not recorded).
     */
    static final class RecordingExecutor extends ScheduledThreadPoolExecutor {
        final List<Long> delaysNanos = new CopyOnWriteArrayList<>();

        RecordingExecutor() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (!(command instanceof StatusRecorder.Flush)) {
                delaysNanos.add(unit.toNanos(delay));
            }
            return super.schedule(command, delay, unit);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        c.declareHost(HOST);
        c.importLeaf("a", c.pki.leaf("mail.a.example").issue());
        c.importLeaf("b", c.pki.leaf("mail.b.example").issue());
        c.importLeaf("d", c.pki.leaf("mail.d.example").issue());
        c.setSni(HOST, SniSupport.YES);
        executor = new RecordingExecutor();
        hub = new SyncHub(c.store, new DesiredStates(c.store), executor, WINDOW_MILLIS, 4, SyncSession.PAGE_BYTES);
        SyncSession s = hub.open(c.store.host(HOST).orElseThrow(), new StreamSink() {
            @Override
            public void send(StateUpdate page) {
                sent.add(page);
            }

            @Override
            public void close(ControllerException reason) {
                throw new AssertionError("stream closed: " + reason.getMessage());
            }
        });
        hub.hello(s, new AgentHello(HOST, "test", new HostFacts("Debian 12", "test", Map.of(), SniSupport.YES), 0, Map.of(),
                Set.of()));
        ack(s, next());
        this.session = s;
        executor.delaysNanos.clear();
    }

    private SyncSession session;

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        c.close();
    }

    private StateUpdate next() throws InterruptedException {
        StateUpdate u = sent.poll(10, TimeUnit.SECONDS);
        assertNotNull(u, "no update was sent");
        return u;
    }

    private static void ack(SyncSession s, StateUpdate u) throws ControllerException {
        assertTrue(u.last());
        s.ack(u.version(), u.nonce());
    }

    private void bindAndNotify(String domain) throws ControllerException {
        c.bindings.bind(Controllers.OPERATOR, HOST, Scope.MAIL, domain + ".example", domain);
        hub.hostsChanged(List.of(HOST));
    }

    @Test
    void aLoneChangeIsPushedWithoutWaiting() throws Exception {
        bindAndNotify("a");
        StateUpdate u = next();
        assertEquals(List.of(0L), executor.delaysNanos, "the first change must not wait for the window");
        assertEquals(1, u.upserted().size());
    }

    @Test
    void changesWithinTheWindowWaitForItsEndAndBecomeOneUpdate() throws Exception {
        bindAndNotify("a");
        ack(session, next());
        bindAndNotify("b");
        bindAndNotify("d");
        assertEquals(2, executor.delaysNanos.size(), "the second and third change share one scheduled push");
        long wait = executor.delaysNanos.get(1);
        assertTrue(wait > 0 && wait <= TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS), "waits for the window: " + wait);
        assertTrue(sent.isEmpty(), "nothing is sent before the window ends");
    }
}
