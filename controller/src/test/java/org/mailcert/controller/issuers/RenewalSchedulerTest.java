package org.mailcert.controller.issuers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.acme.AcmeCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.testing.Controllers;

class RenewalSchedulerTest extends AcmeTestBase {
    static final List<String> WILD = List.of("*.example.com", "example.com");

    private AcmeOrder order() {
        return h.c.store.acmeOrder("wild").orElseThrow();
    }

    private void advanceTo(Instant t) {
        Duration d = Duration.between(h.c.clock.instant(), t);
        if (!d.isNegative()) {
            h.c.clock.advance(d);
        }
    }

    private void issueWild() throws Exception {
        h.addIssuer("le");
        h.requests.request(Controllers.OPERATOR, "wild", WILD, "", "", "");
    }

    @Test
    void withoutAriACertificateRenewsWhenAThirdOfItsLifetimeIsLeft() throws Exception {
        issueWild();
        Instant issued = h.c.clock.instant();

        h.c.clock.advance(Duration.ofDays(59));
        assertEquals(0, h.scheduler.tick());
        assertEquals(1, h.ca.orders.size());

        h.c.clock.advance(Duration.ofDays(1));
        assertEquals(1, h.scheduler.tick());

        assertEquals(2, h.ca.orders.size());
        assertEquals(Optional.empty(), h.ca.orders.get(1).replaces(), "no ARI, so nothing is named as replaced");
        assertEquals(2, h.c.store.certificate("wild").orElseThrow().version());
        assertEquals(issued.plus(Duration.ofDays(120)), order().nextAttempt());
        assertTrue(h.ca.renewalInfoAsked.isEmpty());
    }

    @Test
    void aCertificateAlreadyDueWhenIssuedIsNotOrderedAgainInALoop() throws Exception {
        h.ca.behind = Duration.ofDays(70);
        issueWild();
        Instant issued = h.c.clock.instant();
        assertEquals(issued.plus(RenewalPolicy.MIN_AFTER_ISSUE), order().nextAttempt());
        assertTrue(order().nextReason().contains("clock"), order().nextReason());

        for (int i = 0; i < 10; i++) {
            h.scheduler.tick();
            h.c.clock.advance(Duration.ofMinutes(5));
        }
        assertEquals(1, h.ca.orders.size(), "no order within the hour");

        advanceTo(order().nextAttempt());
        assertEquals(1, h.scheduler.tick());
        assertEquals(2, h.ca.orders.size());
        assertEquals(h.c.clock.instant().plus(RenewalPolicy.MIN_AFTER_ISSUE), order().nextAttempt());
    }

    @Test
    void withAriTheRenewalFallsInsideTheWindowAndNamesTheReplacedCertificate() throws Exception {
        h.ca.capabilities = new AcmeCa.Capabilities(Set.of(), true, Optional.empty());
        issueWild();
        var firstLeaf = h.c.store.certificate("wild").orElseThrow().leaf();
        Instant t0 = h.c.clock.instant();
        assertEquals(t0.plus(RenewalPolicy.ARI_POLL), order().nextAttempt());

        Instant start = t0.plus(Duration.ofDays(40));
        Instant end = start.plus(Duration.ofDays(2));
        h.ca.window = Optional.of(new AcmeCa.RenewalWindow(start, end, Optional.of(t0.plus(Duration.ofDays(50)))));
        advanceTo(order().nextAttempt());
        assertEquals(1, h.scheduler.tick());

        assertEquals(1, h.ca.renewalInfoAsked.size());
        assertEquals(1, h.ca.orders.size(), "not ordered before the window");
        Instant chosen = order().nextAttempt();
        assertFalse(chosen.isBefore(start) || !chosen.isBefore(end), chosen + " outside " + start + ".." + end);
        assertTrue(order().nextReason().startsWith("ARI window"), order().nextReason());

        advanceTo(end);
        h.scheduler.tick();

        assertEquals(2, h.ca.orders.size());
        assertEquals(Optional.of(firstLeaf), h.ca.orders.get(1).replaces());
        assertEquals(2, h.c.store.certificate("wild").orElseThrow().version());
    }

    @Test
    void aWindowInTheFutureIsAskedAgainAtItsRetryAfter() throws Exception {
        h.ca.capabilities = new AcmeCa.Capabilities(Set.of(), true, Optional.empty());
        issueWild();
        advanceTo(order().nextAttempt());
        Instant now = h.c.clock.instant();
        Instant retry = now.plus(Duration.ofHours(2));
        h.ca.window = Optional.of(new AcmeCa.RenewalWindow(now.plus(Duration.ofDays(30)),
                now.plus(Duration.ofDays(31)), Optional.of(retry)));

        h.scheduler.tick();

        assertEquals(retry, order().nextAttempt());
        assertEquals(1, h.ca.orders.size());
    }

    @Test
    void aFailingCaIsCalledOncePerDueTimeWithGrowingBackOff() throws Exception {
        issueWild();
        h.ca.alwaysFail = new AcmeException(AcmeException.Kind.NETWORK, "connection reset");
        advanceTo(order().nextAttempt());
        List<Duration> waits = new ArrayList<>();
        for (int attempt = 1; attempt <= 5; attempt++) {
            Instant now = h.c.clock.instant();
            h.scheduler.tick();
            assertEquals(attempt + 1, h.ca.orders.size(), "one order per due time");
            // Ticking again and again before the next due time orders nothing.
            for (int i = 0; i < 10; i++) {
                h.scheduler.tick();
            }
            h.c.clock.advance(Duration.ofSeconds(30));
            h.scheduler.tick();
            assertEquals(attempt + 1, h.ca.orders.size(), "no hot loop");
            assertEquals(attempt, order().failures());
            assertEquals("network", order().errorKind());
            waits.add(Duration.between(now, order().nextAttempt()));
            advanceTo(order().nextAttempt());
        }
        List<Duration> bases = List.of(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofMinutes(100),
                Duration.ofDays(1), Duration.ofDays(1));
        for (int i = 0; i < bases.size(); i++) {
            long ms = waits.get(i).toMillis();
            long base = bases.get(i).toMillis();
            assertTrue(ms >= base * 0.8 && ms <= base * 1.2, "wait " + (i + 1) + " was " + waits.get(i));
        }
        assertEquals(5L, h.counters.failuresByKind().get("network"));
        assertEquals(5, h.c.store.events(0, "", 1000).stream().filter(e -> e.kind().equals("acme.failed"))
                .map(Event::actor).filter("controller"::equals).count());

        h.ca.alwaysFail = null;
        h.scheduler.tick();
        assertEquals(AcmeOrder.ISSUED, order().lastResult());
        assertEquals(0, order().failures());
    }

    @Test
    void aRateLimitedRenewalWaitsForTheCasRetryAfter() throws Exception {
        issueWild();
        advanceTo(order().nextAttempt());
        h.ca.orderFailures.add(new AcmeException(AcmeException.Kind.RATE_LIMITED, "too many certificates",
                Optional.of(Duration.ofHours(5)), null));
        Instant now = h.c.clock.instant();

        h.scheduler.tick();

        assertEquals(now.plus(Duration.ofHours(5)), order().nextAttempt());
        assertEquals("rate_limited", order().errorKind());
        h.c.clock.advance(Duration.ofHours(4));
        h.scheduler.tick();
        assertEquals(2, h.ca.orders.size());
    }

    @Test
    void atMostFourOrdersRunAtOnceAndOnePerCertificate() throws Exception {
        h.addIssuer("le");
        List<Runnable> queued = new ArrayList<>();
        RenewalScheduler held = new RenewalScheduler(h.c.store, h.requests, h.issuers, h.ca,
                new RenewalPolicy(new Random(1)), h.c.clock, queued::add, RenewalScheduler.MAX_CONCURRENT);
        Instant now = h.c.clock.instant();
        h.c.store.write(tx -> {
            for (int i = 0; i < 6; i++) {
                tx.putAcmeOrder(new AcmeOrder("c" + i, "le", List.of("c" + i + ".example.com"), "ec256", "",
                        Optional.empty(), "", "", "", 0, now, "requested"));
            }
            return null;
        });

        assertEquals(4, held.tick());
        assertEquals(0, held.tick(), "all slots taken and the first four in flight");
        assertTrue(held.inFlight("c0"));

        queued.remove(0).run();
        assertFalse(held.inFlight("c0"));
        assertEquals(1, held.tick(), "one slot free: the next due certificate, not c0 again");
        assertEquals(1, h.c.store.acmeOrder("c0").orElseThrow().lastAttempt().isPresent() ? 1 : 0);
        queued.forEach(Runnable::run);
        assertEquals(5, h.ca.orders.size());
    }
}
