package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.store.Fixtures.T0;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.model.Scope;

/** Revisions, events, atomicity, listeners and concurrency of {@link RocksStore#write}. */
class RocksStoreWriteTest {
    @TempDir
    Path tmp;
    RocksStore store;

    @BeforeEach
    void open() throws ControllerException {
        store = Fixtures.open(tmp);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() throws ControllerException {
        store.close();
        store = Fixtures.open(tmp);
    }

    private long putHost(String fqdn) throws ControllerException {
        return store.write(tx -> {
            tx.putHost(Fixtures.host(fqdn, tx.revision()));
            return tx.revision();
        });
    }

    @Test
    void revisionStartsAtZeroMovesByOnePerWriteAndContinuesAfterReopen() throws Exception {
        assertEquals(0, store.revision());
        assertEquals(0, store.lastEventSeq());
        assertEquals(1, putHost("a.example.com"));
        assertEquals(1, store.revision());
        assertEquals(2, putHost("b.example.com"));
        assertEquals(2, store.revision());
        assertEquals(2, store.host("b.example.com").orElseThrow().revision());

        reopen();
        assertEquals(2, store.revision());
        assertEquals(3, putHost("c.example.com"));
        reopen();
        assertEquals(3, store.revision());
    }

    @Test
    void aWriteThatChangesNothingCommitsNothing() throws Exception {
        List<Long> seen = new ArrayList<>();
        store.addCommitListener(() -> seen.add(store.revision()));
        assertEquals("x", store.write(tx -> "x"));
        assertEquals(0, store.revision());
        assertEquals(List.of(), seen);
    }

    @Test
    void anEventsOnlyWriteDoesNotMoveTheRevisionAndItsEventsCarryRevisionZero() throws Exception {
        putHost("a.example.com");
        Event appended = store.write(tx -> tx.appendEvent(Fixtures.draft("agent.seen", "a.example.com")));
        assertEquals(1, store.revision());
        assertEquals(1, appended.seq());
        assertEquals(T0, appended.time());
        assertEquals(1, store.lastEventSeq());
        assertEquals(0, store.events(0, "", 10).get(0).revision());

        store.write(tx -> {
            tx.putAdminToken(Fixtures.adminToken("ops", Role.OPERATOR));
            tx.appendEvent(Fixtures.draft("token.created", ""));
            return tx.appendEvent(Fixtures.draft("token.note", ""));
        });
        assertEquals(2, store.revision());
        List<Event> events = store.events(0, "", 10);
        assertEquals(List.of(1L, 2L, 3L), events.stream().map(Event::seq).toList());
        assertEquals(List.of(0L, 2L, 2L), events.stream().map(Event::revision).toList());
        assertEquals("token.created", events.get(1).kind());

        reopen();
        assertEquals(3, store.lastEventSeq());
        assertEquals(events, store.events(0, "", 10));
        store.write(tx -> tx.appendEvent(Fixtures.draft("after.reopen", "")));
        assertEquals(4, store.lastEventSeq());
        assertEquals(2, store.revision());
    }

    @Test
    void eventsAreFilteredByHostAndSeqAndLimitedToTheNewest() throws Exception {
        store.write(tx -> {
            for (int i = 1; i <= 120; i++) {
                tx.appendEvent(Fixtures.draft("e" + i, i % 3 == 0 ? "mx1.example.com" : "mx2.example.com"));
            }
            return null;
        });

        List<Event> all = store.events(0, "", 0);
        assertEquals(100, all.size(), "limit <= 0 means 100");
        assertEquals(21, all.get(0).seq(), "the newest 100, oldest first");
        assertEquals(120, all.get(99).seq());
        assertEquals(100, store.events(0, "", -5).size());

        List<Event> lastFive = store.events(0, "", 5);
        assertEquals(List.of(116L, 117L, 118L, 119L, 120L), lastFive.stream().map(Event::seq).toList());

        List<Event> mx1 = store.events(100, "mx1.example.com", 3);
        assertEquals(List.of(114L, 117L, 120L), mx1.stream().map(Event::seq).toList());
        assertTrue(mx1.stream().allMatch(e -> e.host().equals("mx1.example.com")));

        assertEquals(List.of(102L, 105L, 108L, 111L, 114L, 117L, 120L),
                store.events(100, "mx1.example.com", 50).stream().map(Event::seq).toList());
        assertEquals(List.of(), store.events(120, "", 10));
        assertEquals(List.of(), store.events(0, "nobody.example.com", 10));
    }

    @Test
    void aThrowingWriteFunctionChangesNothing() throws Exception {
        store.write(tx -> {
            tx.putHost(Fixtures.host("a.example.com", tx.revision()));
            tx.putCertificateVersion(Fixtures.certificate("web", 1, Samples.ec(), tx.revision()),
                    Samples.ec().getPrivate());
            tx.putBinding(Fixtures.binding("a.example.com", Scope.SERVER, "", "web", tx.revision()));
            tx.putAdminToken(Fixtures.adminToken("root", Role.ADMIN));
            tx.putJoinToken(Fixtures.joinToken("tok", "a.example.com", Optional.empty()));
            tx.putControllerKey("ca", Samples.ec().getPrivate());
            tx.appendEvent(Fixtures.draft("setup", "a.example.com"));
            return null;
        });
        List<String> tokens = List.of("tok", "tok2");
        String before = Fixtures.snapshot(store, tokens);
        List<Long> notified = new ArrayList<>();
        store.addCommitListener(() -> notified.add(store.revision()));

        ControllerException thrown = ControllerException.failedPrecondition("rule broken");
        ControllerException caught = assertThrows(ControllerException.class, () -> store.write(tx -> {
            everyKindOfWrite(tx);
            throw thrown;
        }));
        assertSame(thrown, caught);
        assertThrows(IllegalStateException.class, () -> store.write(tx -> {
            everyKindOfWrite(tx);
            throw new IllegalStateException("bug");
        }));

        assertEquals(before, Fixtures.snapshot(store, tokens));
        assertEquals(List.of(), notified);
        reopen();
        assertEquals(before, Fixtures.snapshot(store, tokens));
        assertEquals(2, putHost("next.example.com"), "a failed write does not use up a revision");
    }

    private static void everyKindOfWrite(org.mailcert.controller.store.Transaction tx) {
        tx.putHost(Fixtures.host("b.example.com", tx.revision()));
        tx.deleteHost("a.example.com");
        tx.putCertificateVersion(Fixtures.certificate("web", 2, Samples.rsa(), tx.revision()),
                Samples.rsa().getPrivate());
        tx.deleteCertificate("web");
        tx.putBinding(Fixtures.binding("b.example.com", Scope.SERVER, "", "web", tx.revision()));
        tx.deleteBinding(Fixtures.binding("a.example.com", Scope.SERVER, "", "web", 1).key());
        tx.putAdminToken(Fixtures.adminToken("new", Role.VIEWER));
        tx.deleteAdminToken("root");
        tx.putJoinToken(Fixtures.joinToken("tok2", "b.example.com", Optional.empty()));
        tx.putControllerKey("ca", Samples.rsa().getPrivate());
        tx.appendEvent(Fixtures.draft("lost", ""));
    }

    @Test
    void readsInsideAWriteSeeCommittedStateOnly() throws Exception {
        putHost("a.example.com");
        store.write(tx -> {
            assertEquals(2, tx.revision());
            tx.putHost(Fixtures.host("b.example.com", tx.revision()));
            tx.deleteHost("a.example.com");
            assertEquals(Optional.empty(), store.host("b.example.com"));
            assertTrue(store.host("a.example.com").isPresent());
            assertEquals(1, store.revision());
            return null;
        });
        assertEquals(List.of("b.example.com"), store.hosts().stream().map(Host::fqdn).toList());
    }

    @Test
    void transactionTimeIsOneClockReadingTruncatedToMilliseconds() throws Exception {
        store.close();
        Instant precise = Instant.parse("2026-03-04T05:06:07.089123456Z");
        store = RocksStore.open(tmp.resolve("store"), MasterKey.loadOrCreate(tmp.resolve("master.key")),
                Clock.fixed(precise, ZoneOffset.UTC));
        Instant now = store.write(tx -> {
            assertSame(tx.now(), tx.now());
            tx.putHost(Host.pending("a.example.com", "id", tx.now()));
            return tx.now();
        });
        assertEquals(Instant.parse("2026-03-04T05:06:07.089Z"), now);
        assertEquals(now, store.host("a.example.com").orElseThrow().created());
    }

    @Test
    void aTransactionCannotBeUsedAfterItsFunctionReturns() throws Exception {
        AtomicReference<org.mailcert.controller.store.Transaction> leaked = new AtomicReference<>();
        store.write(tx -> {
            leaked.set(tx);
            return null;
        });
        assertThrows(IllegalStateException.class, () -> leaked.get().putHost(Fixtures.host("x.example.com", 1)));
        assertThrows(IllegalStateException.class, () -> leaked.get().appendEvent(Fixtures.draft("x", "")));
        assertEquals(0, store.revision());
    }

    @Test
    void nestedWritesAreRefused() throws Exception {
        assertThrows(IllegalStateException.class, () -> store.write(tx -> {
            tx.putHost(Fixtures.host("outer.example.com", tx.revision()));
            return store.write(inner -> null);
        }));
        assertEquals(0, store.revision());
        assertEquals(List.of(), store.hosts());
    }

    @Test
    void commitListenersRunAfterTheCommitAndAThrowingOneBreaksNothing() throws Exception {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        store.addCommitListener(() -> {
            calls.add("first sees revision " + store.revision());
            throw new IllegalStateException("listener bug");
        });
        store.addCommitListener(() -> calls.add("second sees host " + store.host("a.example.com").isPresent()));

        assertEquals(1, putHost("a.example.com"));
        assertEquals(List.of("first sees revision 1", "second sees host true"), calls);

        calls.clear();
        store.write(tx -> tx.appendEvent(Fixtures.draft("note", "")));
        assertEquals(2, calls.size(), "an events-only write is a commit too");
        assertEquals(2, putHost("b.example.com"));
    }

    @Test
    void concurrentWritersGetDistinctConsecutiveRevisionsAndLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Long> revisions = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String fqdn = "h" + id + "-" + i + ".example.com";
                        revisions.add(store.write(tx -> {
                            tx.putHost(Fixtures.host(fqdn, tx.revision()));
                            tx.appendEvent(Fixtures.draft("host.added", fqdn));
                            return tx.revision();
                        }));
                        store.host(fqdn).orElseThrow();
                    }
                    return revisions;
                }));
            }
            start.countDown();
            Set<Long> all = new TreeSet<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            int total = threads * perThread;
            assertEquals(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toCollection(TreeSet::new)), all);
            assertEquals(total, store.revision());
            assertEquals(total, store.hosts().size());
            List<Event> events = store.events(0, "", total);
            assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), events.stream().map(Event::seq).toList());
            for (Event e : events) {
                Host h = store.host(e.host()).orElseThrow();
                assertEquals(h.revision(), e.revision(), "event and host written in the same transaction");
            }
        } finally {
            pool.shutdownNow();
        }
        reopen();
        assertEquals(threads * perThread, store.revision());
    }

    @Test
    void recordsKeepTheRevisionTheyWereWrittenWith() throws Exception {
        putHost("a.example.com");
        store.write(tx -> {
            tx.putCertificateVersion(Fixtures.certificate("web", 1, Samples.ec(), tx.revision()),
                    Samples.ec().getPrivate());
            return null;
        });
        CertificateVersion v = store.certificate("web").orElseThrow();
        assertEquals(2, v.revision());
        assertEquals(1, store.host("a.example.com").orElseThrow().revision());
    }
}
