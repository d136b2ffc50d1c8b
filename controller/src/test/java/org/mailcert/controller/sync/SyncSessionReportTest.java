package org.mailcert.controller.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.testing.Reports.item;
import static org.mailcert.controller.testing.Reports.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftMode;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.RunOutcome;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.controller.testing.RecordingSink;

/** Drift reports and Nacks on a session: recorded as observed state, with events and counters. */
class SyncSessionReportTest {
    private static final String HOST = "mx1.example.com";
    private static final DriftItem MISSING = item("mail/a.example", "FileMissing", "postfix", DriftAction.WOULD_CHANGE);

    @TempDir
    Path dir;
    private Controllers c;
    private ScheduledExecutorService executor;
    private SyncHub hub;
    private SyncSession session;
    private final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        c.declareHost(HOST);
        c.setSni(HOST, SniSupport.YES);
        executor = Executors.newSingleThreadScheduledExecutor();
        hub = new SyncHub(c.store, new DesiredStates(c.store), executor, 1, 4, SyncSession.PAGE_BYTES);
        session = RecordingSink.hello(hub, c.store.host(HOST).orElseThrow(), sink);
        StateUpdate first = next();
        session.ack(first.version(), first.nonce());
        await(() -> c.store.hostStatus(HOST).appliedVersion() == first.version());
    }

    @AfterEach
    void tearDown() {
        assertEquals(Optional.empty(), sink.closed().map(Throwable::getMessage), "the stream was closed");
        executor.shutdownNow();
        c.close();
    }

    private StateUpdate next() throws InterruptedException {
        return sink.next();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(condition.getAsBoolean(), "not within 10 s");
    }

    private List<Event> driftEvents() {
        return c.store.events(0, HOST, 1000).stream().filter(e -> e.kind().startsWith("drift.")).toList();
    }

    /** Sends a report and waits until the store holds it. */
    private void send(DriftReport r) throws InterruptedException {
        long before = hub.driftReports();
        session.report(r);
        assertEquals(before + 1, hub.driftReports());
        await(() -> c.store.hostStatus(HOST).lastReport().equals(Optional.of(r)));
    }

    @Test
    void factsSentAfterHelloReplaceTheHostsFactsWithAnEventWhenItsDomainsChange() throws Exception {
        long revision = c.store.revision();
        var facts = Controllers.factsOf(List.of("a.example", "b.example"),
                Controllers.service("postfix", "3.7.11", true, "smtp"));
        session.facts(facts);
        await(() -> c.store.hostStatus(HOST).discoveredDomains().equals(List.of("a.example", "b.example")));
        assertEquals(facts, c.store.hostStatus(HOST).facts());
        assertEquals(revision, c.store.revision(), "observed state: the revision does not move");
        List<Event> changed = c.store.events(0, HOST, 1000).stream().filter(e -> e.kind().equals("host.domains_changed"))
                .toList();
        assertEquals(1, changed.size());
        assertTrue(changed.get(0).message().contains("added a.example, b.example"), changed.get(0).message());

        session.facts(Controllers.factsOf(List.of("b.example"), Controllers.service("postfix", "3.7.11", true, "smtp")));
        await(() -> c.store.hostStatus(HOST).discoveredDomains().equals(List.of("b.example")));
        await(() -> c.store.events(0, HOST, 1000).stream().filter(e -> e.kind().equals("host.domains_changed"))
                .anyMatch(e -> e.message().contains("removed a.example")));
    }

    @Test
    void aReportIsTheHostsObservedStateWithEventsButNoNewRevision() throws Exception {
        long revision = c.store.revision();
        DriftReport r = report(c.store.hostStatus(HOST).appliedVersion(), RunOutcome.WOULD_CHANGE, MISSING);
        send(r);
        assertEquals(revision, c.store.revision(), "a report is observed state");
        assertTrue(c.store.hostStatus(HOST).reportReceived().isPresent());
        List<Event> events = driftEvents();
        assertEquals(List.of("drift.detected"), events.stream().map(Event::kind).toList());
        assertEquals("agent:" + HOST, events.get(0).actor());
        assertEquals("mail/a.example", events.get(0).subject());
        assertEquals(0, events.get(0).revision());
    }

    @Test
    void aRepeatedReportWritesNoEventAndARepairWritesOne() throws Exception {
        long applied = c.store.hostStatus(HOST).appliedVersion();
        send(report(applied, RunOutcome.WOULD_CHANGE, MISSING));
        DriftReport same = new DriftReport(applied, DriftMode.ENFORCE, RunOutcome.WOULD_CHANGE, Optional.empty(),
                "start", 7, List.of(), List.of(), List.of(MISSING), 0);
        send(same);
        assertEquals(1, driftEvents().size(), "the same items again (after a reconnect, say) are no news");
        send(report(applied, RunOutcome.CORRECTIVE_CHANGE,
                item("mail/a.example", "FileMissing", "postfix", DriftAction.REPAIRED)));
        assertEquals(List.of("drift.detected", "drift.repaired"), driftEvents().stream().map(Event::kind).toList());
        assertEquals(3, hub.driftReports());
    }

    @Test
    void aNackIsCountedAsAnApplyFailure() throws Exception {
        c.importLeaf("a", c.pki.leaf("mail.a.example").issue());
        c.bindings.bind(Controllers.OPERATOR, HOST, Scope.MAIL, "a.example", "a");
        hub.hostsChanged(List.of(HOST));
        StateUpdate u = next();
        assertEquals(0, hub.applyFailures());
        session.nack(u.version(), u.nonce(), "postfix check failed");
        assertEquals(1, hub.applyFailures());
        await(() -> c.store.hostStatus(HOST).lastError().equals("postfix check failed"));
        assertTrue(c.store.events(0, HOST, 100).stream().anyMatch(e -> e.kind().equals("state.rejected")));
    }
}
