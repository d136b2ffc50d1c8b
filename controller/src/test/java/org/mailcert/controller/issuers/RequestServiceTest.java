package org.mailcert.controller.issuers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.CertificateSource;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.sync.DesiredStates;
import org.mailcert.controller.testing.Controllers;

class RequestServiceTest extends AcmeTestBase {
    static final String HOST = "mx1.example.com";
    static final List<String> WILD = List.of("*.example.com", "example.com");

    @BeforeEach
    void addIssuer() throws Exception {
        h.addIssuer("le");
    }

    private OrderOutcome request(String name, List<String> domains) throws ControllerException {
        return h.requests.request(Controllers.OPERATOR, name, domains, "", "", "");
    }

    private long desiredVersion(String host) {
        return DesiredStates.version(h.c.store.host(host).orElseThrow(), h.c.store.bindingsOfHost(host), h.c.store);
    }

    private List<String> eventKinds() {
        return h.c.store.events(0, "", 1000).stream().map(Event::kind).toList();
    }

    @Test
    void anIssuedCertificateIsANewVersionFromAcmeAndBoundHostsFollow() throws Exception {
        OrderOutcome first = request("wild", WILD);

        CertificateVersion v1 = h.c.store.certificate("wild").orElseThrow();
        assertEquals(CertificateSource.ACME, v1.source());
        assertEquals(1, v1.version());
        assertEquals(WILD, h.ca.orders.get(0).names());
        assertEquals(AcmeOrder.ISSUED, first.order().lastResult());
        assertEquals(List.of("le"), h.solversMade);
        assertEquals(2, h.ca.cleaned.size());
        // The key is the requested type (default EC P-256) and matches the stored version.
        assertEquals("EC", h.ca.orders.get(0).certificateKey().getPublic().getAlgorithm());
        assertTrue(org.mailcert.common.pki.Keys.matches(h.c.store.privateKey("wild", 1), v1.leaf()));

        h.c.declareHost(HOST);
        h.c.bindings.bind(Controllers.OPERATOR, HOST, Scope.SERVER, "", "wild");
        long before = desiredVersion(HOST);
        h.c.changedHosts.clear();

        request("wild", WILD);

        assertEquals(2, h.c.store.certificate("wild").orElseThrow().version());
        assertEquals(CertificateSource.ACME, h.c.store.certificate("wild").orElseThrow().source());
        assertTrue(desiredVersion(HOST) > before, "the bound host's desired state moved");
        assertEquals(List.of(HOST), h.c.changedHosts);
        assertEquals(2, eventKinds().stream().filter("acme.issued"::equals).count());
        assertEquals(2L, h.counters.byResult().get("issued"));
    }

    @Test
    void aFailedOrderIsRecordedWithItsKindAndBackOff() throws Exception {
        h.ca.orderFailures.add(new AcmeException(AcmeException.Kind.DNS, "TXT record not visible at ns1"));
        Instant now = h.c.clock.instant();

        ControllerException e = assertThrows(ControllerException.class, () -> request("wild", WILD));

        assertEquals(ControllerException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("(dns): TXT record not visible at ns1"), e.getMessage());
        AcmeOrder o = h.c.store.acmeOrder("wild").orElseThrow();
        assertEquals(AcmeOrder.FAILED, o.lastResult());
        assertEquals("dns", o.errorKind());
        assertEquals(1, o.failures());
        assertEquals(Optional.of(now), o.lastAttempt());
        assertFalse(o.nextAttempt().isBefore(now.plusSeconds(48)), o.nextAttempt().toString());
        assertFalse(o.nextAttempt().isAfter(now.plusSeconds(72)), o.nextAttempt().toString());
        assertTrue(h.c.store.certificate("wild").isEmpty());
        assertEquals("acme.failed", eventKinds().get(eventKinds().size() - 1));
        assertEquals(1L, h.counters.failuresByKind().get("dns"));
        assertEquals(1L, h.counters.byResult().get("failed"));
    }

    @Test
    void hostileDomainNamesAreRefusedAndNothingIsStored() throws Exception {
        long revision = h.c.store.revision();
        long events = h.c.store.lastEventSeq();
        List<String> hostile = List.of("a.example.com;rm -rf /", "*.*.example.com", "ex ample.com", "../etc/passwd",
                "*", "-a.example.com", "a.example.com\n", "$(id).example.com", "", "192.0.2.1", "mail.*.example.com");
        for (String d : hostile) {
            ControllerException e = assertThrows(ControllerException.class,
                    () -> request("wild", List.of("example.com", d)), d);
            assertEquals(ControllerException.Kind.INVALID, e.kind(), d);
        }
        assertThrows(ControllerException.class, () -> request("wild", List.of("example.com", "EXAMPLE.com")));
        assertThrows(ControllerException.class, () -> request("../wild", WILD));
        assertEquals(revision, h.c.store.revision());
        assertEquals(events, h.c.store.lastEventSeq());
        assertTrue(h.c.store.acmeOrders().isEmpty());
        assertTrue(h.ca.orders.isEmpty());
    }

    @Test
    void keyTypeAndProfileAreCheckedAndPassedOn() throws Exception {
        h.requests.request(Controllers.OPERATOR, "rsa", List.of("mail.example.com"), "le", "rsa2048", "shortlived");
        assertEquals("RSA", h.ca.orders.get(0).certificateKey().getPublic().getAlgorithm());
        assertEquals(Optional.of("shortlived"), h.ca.orders.get(0).profile());
        assertEquals("rsa2048", h.c.store.acmeOrder("rsa").orElseThrow().keyType());

        ControllerException badType = assertThrows(ControllerException.class,
                () -> h.requests.request(Controllers.OPERATOR, "x", WILD, "le", "dsa1024", ""));
        assertTrue(badType.getMessage().contains("ec256"), badType.getMessage());
        ControllerException badProfile = assertThrows(ControllerException.class,
                () -> h.requests.request(Controllers.OPERATOR, "x", WILD, "le", "", "forever"));
        assertTrue(badProfile.getMessage().contains("classic, shortlived, tlsserver"), badProfile.getMessage());
        assertEquals(1, h.ca.orders.size());
    }

    @Test
    void theIssuerMayBeOmittedOnlyWhenThereIsOne() throws Exception {
        request("one", WILD);
        h.addIssuer("staging");
        ControllerException e = assertThrows(ControllerException.class, () -> request("two", WILD));
        assertTrue(e.getMessage().contains("--issuer"), e.getMessage());
        ControllerException unknown = assertThrows(ControllerException.class,
                () -> h.requests.request(Controllers.OPERATOR, "two", WILD, "nope", "", ""));
        assertEquals(ControllerException.Kind.NOT_FOUND, unknown.kind());
    }

    @Test
    void anImportedNameIsNotTakenOver() throws Exception {
        h.c.importLeaf("imported", h.c.pki.leaf("mail.example.com").issue());
        ControllerException e = assertThrows(ControllerException.class,
                () -> request("imported", List.of("mail.example.com")));
        assertEquals(ControllerException.Kind.ALREADY_EXISTS, e.kind());
        assertTrue(h.ca.orders.isEmpty());
    }

    @Test
    void deletingTheCertificateStopsItsRenewal() throws Exception {
        request("wild", WILD);
        h.c.certificates.delete(Controllers.OPERATOR, "wild");
        assertTrue(h.c.store.acmeOrder("wild").isEmpty());
        h.c.clock.advance(Duration.ofDays(365));
        assertEquals(0, h.scheduler.tick());
        assertEquals(1, h.ca.orders.size());
    }

    @Test
    void withoutAnAcmeImplementationIssuersAreKeptWithTheReason() throws Exception {
        IssuerService none = new IssuerService(h.c.store, AcmeWiring.unavailable().ca());
        var kept = none.add(Controllers.OPERATOR, AcmeHarness.exec("other"));
        assertEquals("registration failed (configuration): " + AcmeWiring.UNAVAILABLE, kept.accountState());
        assertEquals(kept, h.c.store.issuer("other").orElseThrow());
    }

    @Test
    void theNextRenewalWithoutAriIsAtOneThirdOfTheLifetime() throws Exception {
        h.ca.lifetime = Duration.ofDays(90);
        Instant now = h.c.clock.instant();
        AcmeOrder o = request("wild", WILD).order();
        assertEquals(now.plus(Duration.ofDays(60)), o.nextAttempt());
        assertEquals("a third of the lifetime left", o.nextReason());
    }
}
