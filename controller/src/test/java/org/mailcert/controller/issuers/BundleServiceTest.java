package org.mailcert.controller.issuers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.sync.DesiredStates;
import org.mailcert.controller.testing.Controllers;

/** SAN bundles: names, the limit, the server-wide binding, and names kept in step with the host's domains. */
class BundleServiceTest extends AcmeTestBase {
    static final String HOST = "mx1.example.net";
    static final String BUNDLE = "bundle-" + HOST;
    static final BindingKey SERVER = new BindingKey(HOST, Scope.SERVER, "");

    @BeforeEach
    void host() throws Exception {
        h.addIssuer("le");
        h.c.declareHost(HOST);
        h.c.markEnrolled(HOST);
    }

    private void domains(String... domains) throws ControllerException {
        h.c.setFacts(HOST, Controllers.factsOf(List.of(domains),
                Controllers.service("qmail", "1.03", false, "smtp", "submission")));
    }

    private BundleService.Outcome bundle(int maxNames, boolean replace) throws ControllerException {
        return h.bundles.request(Controllers.OPERATOR, HOST, "", "", "", maxNames, replace);
    }

    private AcmeOrder order() {
        return h.c.store.acmeOrder(BUNDLE).orElseThrow();
    }

    private List<String> lastOrderedNames() {
        return h.ca.orders.get(h.ca.orders.size() - 1).names();
    }

    @Test
    void namesAreTheFqdnThenMailOfEachDomainSortedWithHostileDomainsSkipped() {
        BundleService.Names n = BundleService.names(HOST, List.of("b.example", "A.example", "bad domain",
                "*.x.example", "evil\u202e.example", "c.example\r\nX: 1", "a.example"), 100);

        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example"), n.names());
        assertEquals(List.of(), n.uncovered());
        assertEquals(4, n.refused().size(), n.refused().toString());
        assertTrue(n.refused().stream().noneMatch(r -> r.contains("\r") || r.contains("\u202e")), n.refused().toString());
    }

    @Test
    void theBundleIsOrderedBoundServerWideAndTheHostsDesiredStateMoves() throws Exception {
        domains("b.example", "a.example");
        long before = DesiredStates.version(h.c.store.host(HOST).orElseThrow(), h.c.store.bindingsOfHost(HOST),
                h.c.store);

        BundleService.Outcome o = bundle(0, false);

        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example"), lastOrderedNames());
        assertEquals(BUNDLE, h.c.store.binding(SERVER).orElseThrow().certificate());
        assertTrue(h.c.changedHosts.contains(HOST));
        long after = DesiredStates.version(h.c.store.host(HOST).orElseThrow(), h.c.store.bindingsOfHost(HOST),
                h.c.store);
        assertNotEquals(before, after);
        assertEquals(HOST, order().bundleHost(), "the store keeps the bundle's host");
        assertEquals(100, order().bundleMaxNames());
        assertEquals(List.of(), o.uncovered());
        assertEquals(List.of(), o.warnings());
        assertEquals(1, o.order().issued().orElseThrow().certificate().version().version());
    }

    @Test
    void overTheLimitOnlyTheFirstNamesAreOrderedAndTheRestReportedUncovered() throws Exception {
        domains("d.example", "c.example", "b.example", "a.example");

        BundleService.Outcome o = bundle(3, false);

        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example"), lastOrderedNames());
        assertEquals(1, h.ca.orders.size(), "a host without SNI serves one certificate: one order");
        assertEquals(List.of("c.example", "d.example"), o.uncovered());
        assertEquals(1, o.warnings().size());
        assertTrue(o.warnings().get(0).contains("serves one certificate only"), o.warnings().get(0));
        assertEquals(BUNDLE, h.c.store.binding(SERVER).orElseThrow().certificate());
    }

    @Test
    void anotherServerBindingIsRefusedUnlessReplaceIsGiven() throws Exception {
        domains("a.example");
        h.c.importLeaf("mx1", h.c.pki.leaf(HOST).issue());
        h.c.bindings.bind(Controllers.OPERATOR, HOST, Scope.SERVER, "", "mx1");

        ControllerException e = assertThrows(ControllerException.class, () -> bundle(0, false));

        assertEquals(ControllerException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("--replace"), e.getMessage());
        assertEquals(0, h.ca.orders.size(), "nothing ordered");
        assertEquals("mx1", h.c.store.binding(SERVER).orElseThrow().certificate());

        bundle(0, true);
        assertEquals(BUNDLE, h.c.store.binding(SERVER).orElseThrow().certificate());
        bundle(0, false);
        assertEquals(2, h.ca.orders.size(), "the bundle's own server binding needs no --replace");
    }

    @Test
    void anUnknownHostAndABadLimitAreRefused() throws Exception {
        ControllerException unknown = assertThrows(ControllerException.class,
                () -> h.bundles.request(Controllers.OPERATOR, "nope.example.net", "", "", "", 0, false));
        assertEquals(ControllerException.Kind.NOT_FOUND, unknown.kind());
        ControllerException limit = assertThrows(ControllerException.class, () -> bundle(101, false));
        assertEquals(ControllerException.Kind.INVALID, limit.kind());
        assertEquals(0, h.ca.orders.size());
    }

    @Test
    void aNameOrderedForFixedNamesCannotBecomeABundle() throws Exception {
        h.requests.request(Controllers.OPERATOR, "mine", List.of(HOST), "", "", "");
        ControllerException e = assertThrows(ControllerException.class,
                () -> h.bundles.request(Controllers.OPERATOR, HOST, "mine", "", "", 0, false));
        assertEquals(ControllerException.Kind.ALREADY_EXISTS, e.kind());
        assertEquals("", h.c.store.acmeOrder("mine").orElseThrow().bundleHost());
    }

    @Test
    void anAddedDomainReordersWithTheNewNamesAtMostOncePerHour() throws Exception {
        domains("a.example");
        bundle(0, false);
        assertEquals(0, h.scheduler.tick(), "nothing changed, nothing due");

        h.c.clock.advance(Duration.ofHours(1));
        domains("a.example", "b.example");
        assertEquals(1, h.scheduler.tick());

        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example"), lastOrderedNames());
        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example"), order().domains());
        assertEquals(2, h.c.store.certificate(BUNDLE).orElseThrow().version());
        assertEquals(BUNDLE, h.c.store.binding(SERVER).orElseThrow().certificate(), "the binding follows");
        assertTrue(h.c.store.events(0, "", 1000).stream().map(Event::kind).anyMatch("acme.bundle_names"::equals));

        domains("a.example", "b.example", "c.example");
        h.c.clock.advance(Duration.ofMinutes(59));
        assertEquals(0, h.scheduler.tick(), "not twice within the hour");
        assertEquals(2, h.ca.orders.size());
        h.c.clock.advance(Duration.ofMinutes(1));
        assertEquals(1, h.scheduler.tick());
        assertEquals(3, h.ca.orders.size());
        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example", "mail.c.example"), lastOrderedNames());
    }

    @Test
    void aRemovedDomainReordersWithFewerNames() throws Exception {
        domains("a.example", "b.example");
        bundle(0, false);
        h.c.clock.advance(Duration.ofHours(2));

        domains("b.example");
        h.scheduler.tick();

        assertEquals(2, h.ca.orders.size());
        assertEquals(List.of(HOST, "mail.b.example"), lastOrderedNames());
        assertEquals(List.of("mail.b.example", HOST), h.c.store.certificate(BUNDLE).orElseThrow().leaf()
                .getSubjectAlternativeNames().stream().map(san -> (String) san.get(1)).sorted().toList());
    }

    @Test
    void aFailedReorderBacksOffAndRetriesWithTheNewNames() throws Exception {
        domains("a.example");
        bundle(0, false);
        h.c.clock.advance(Duration.ofHours(1));
        domains("a.example", "b.example");
        h.ca.alwaysFail = new AcmeException(AcmeException.Kind.NETWORK, "connection reset");

        h.scheduler.tick();
        assertEquals(2, h.ca.orders.size());
        assertEquals(1, order().failures());
        h.c.clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            h.scheduler.tick();
        }
        assertEquals(2, h.ca.orders.size(), "the back-off holds; a names change does not bypass it");
        assertTrue(order().nextAttempt().isAfter(h.c.clock.instant()));

        h.ca.alwaysFail = null;
        h.c.clock.advance(Duration.between(h.c.clock.instant(), order().nextAttempt()));
        h.scheduler.tick();
        assertEquals(3, h.ca.orders.size());
        assertEquals(List.of(HOST, "mail.a.example", "mail.b.example"), lastOrderedNames());
        assertEquals(AcmeOrder.ISSUED, order().lastResult());
        assertEquals(0, order().failures());
    }
}
