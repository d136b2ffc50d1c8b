package org.mailcert.controller.issuers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.model.DnsSolverConfig;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;
import org.mailcert.controller.testing.Controllers;

class IssuerServiceTest extends AcmeTestBase {
    private List<Event> events() {
        return h.c.store.events(0, "", 1000);
    }

    @Test
    void anIssuerIsStoredRegisteredAndItsSecretsSealedNeverShown() throws Exception {
        Issuer added = h.issuers.add(Controllers.OPERATOR, AcmeHarness.rfc2136("le"));

        assertTrue(added.registered(), added.accountState());
        assertEquals("https://ca.test/acct/1", added.accountUrl());
        assertEquals(List.of("classic", "shortlived", "tlsserver"), added.profiles());
        assertEquals(new DnsSolverConfig.Rfc2136("ns1.example.net:53", "mailcert-key", "hmac-sha256", ""), added.dns());
        assertEquals(List.of(added), h.issuers.list());

        IssuerSecrets secrets = h.c.store.issuerSecrets("le");
        assertArrayEquals(Base64.getDecoder().decode(AcmeHarness.TSIG_SECRET), secrets.tsigSecret().orElseThrow());
        assertArrayEquals(Base64.getUrlDecoder().decode(AcmeHarness.EAB_HMAC), secrets.eabHmac().orElseThrow());
        assertEquals("EC", secrets.accountKey().getPublic().getAlgorithm());
        // The CA got the EAB key and the same account key each time.
        assertEquals("kid-1", h.ca.registered.get(0).eab().orElseThrow().keyId());

        assertEquals(List.of("issuer.added", "issuer.registered"), events().stream().map(Event::kind).toList());
        String everything = events().toString() + h.issuers.list() + secrets;
        assertFalse(everything.contains(AcmeHarness.TSIG_SECRET), everything);
        assertFalse(everything.contains(AcmeHarness.EAB_HMAC), everything);
        assertTrue(events().get(0).actor().startsWith("admin:"));
    }

    @Test
    void aFailedRegistrationIsKeptShownAndRetriedOnTheNextRequest() throws Exception {
        h.ca.registerFailures.add(new AcmeException(AcmeException.Kind.NETWORK, "connection refused"));

        Issuer added = h.issuers.add(Controllers.OPERATOR, AcmeHarness.exec("le"));

        assertFalse(added.registered());
        assertEquals("registration failed (network): connection refused", added.accountState());
        assertEquals(added, h.c.store.issuer("le").orElseThrow());
        assertEquals("issuer.registration_failed", events().get(events().size() - 1).kind());

        h.requests.request(Controllers.OPERATOR, "wild", List.of("*.example.com", "example.com"), "", "", "");

        assertEquals(2, h.ca.registered.size());
        assertTrue(h.c.store.issuer("le").orElseThrow().registered());
        assertEquals(1, h.ca.orders.size());
    }

    @Test
    void aRequestWhoseRegistrationFailsAgainRecordsTheRegistrationsKind() throws Exception {
        h.ca.registerFailures.add(new AcmeException(AcmeException.Kind.NETWORK, "connection refused"));
        h.addIssuer("le");
        h.ca.registerFailures.add(new AcmeException(AcmeException.Kind.RATE_LIMITED, "too many registrations",
                Optional.of(java.time.Duration.ofHours(3)), null));

        assertThrows(ControllerException.class, () -> h.requests.request(Controllers.OPERATOR, "wild",
                List.of("example.com"), "", "", ""));

        var order = h.c.store.acmeOrder("wild").orElseThrow();
        assertEquals("rate_limited", order.errorKind());
        assertEquals(h.c.clock.instant().plus(java.time.Duration.ofHours(3)), order.nextAttempt());
        assertTrue(h.ca.orders.isEmpty());
    }

    @Test
    void plainHttpIsAllowedToLoopbackOnly() throws Exception {
        assertEquals("https://acme-v02.api.letsencrypt.org/directory", IssuerService.directory("letsencrypt").toString());
        assertEquals("https://acme-staging-v02.api.letsencrypt.org/directory",
                IssuerService.directory("LetsEncrypt-Staging").toString());
        assertEquals("http://127.0.0.1:14000/dir", IssuerService.directory("http://127.0.0.1:14000/dir").toString());
        assertEquals("http://localhost/dir", IssuerService.directory("http://localhost/dir").toString());
        ControllerException e = assertThrows(ControllerException.class,
                () -> IssuerService.directory("http://acme.example.com/dir"));
        assertTrue(e.getMessage().contains("plain http"), e.getMessage());
    }

    @Test
    void badIssuersAreRefusedAndNothingIsStored() throws Exception {
        long revision = h.c.store.revision();
        IssuerRequest good = AcmeHarness.rfc2136("le");
        List<IssuerRequest> bad = List.of(
                new IssuerRequest("Bad Name", good.directoryUrl(), good.email(), "", "", "", good.dns(), good.tsigSecret()),
                new IssuerRequest("le", "ftp://acme.test/", good.email(), "", "", "", good.dns(), good.tsigSecret()),
                new IssuerRequest("le", "http://acme.test/directory", good.email(), "", "", "", good.dns(),
                        good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), "not-an-address", "", "", "", good.dns(), good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), "a@b;rm -rf /", "", "", "", good.dns(), good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "kid-only", "", good.dns(),
                        good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "", AcmeHarness.EAB_HMAC, good.dns(),
                        good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "", "", good.dns(), "not base64!"),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "", "", null, ""),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "", "",
                        new DnsSolverConfig.Rfc2136("ns1.example.net:99999", "k", "hmac-sha256", ""), good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "", "",
                        new DnsSolverConfig.Rfc2136("ns1.example.net:53", "k", "hmac-md5", ""), good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "not a pem", "", "", good.dns(),
                        good.tsigSecret()),
                new IssuerRequest("le", good.directoryUrl(), good.email(), "", "", "", new DnsSolverConfig.Exec(" "), ""));
        for (IssuerRequest r : bad) {
            ControllerException e = assertThrows(ControllerException.class,
                    () -> h.issuers.add(Controllers.OPERATOR, r), r::toString);
            assertEquals(ControllerException.Kind.INVALID, e.kind(), e.getMessage());
            assertFalse(e.getMessage().contains(AcmeHarness.TSIG_SECRET));
        }
        assertEquals(revision, h.c.store.revision());
        assertTrue(h.c.store.issuers().isEmpty());
        assertTrue(h.ca.registered.isEmpty());
    }

    @Test
    void aSecondIssuerOfTheSameNameIsRefused() throws Exception {
        h.addIssuer("le");
        ControllerException e = assertThrows(ControllerException.class, () -> h.addIssuer("le"));
        assertEquals(ControllerException.Kind.ALREADY_EXISTS, e.kind());
        assertEquals(Optional.of("le"), h.c.store.issuers().stream().map(Issuer::name).findFirst());
        assertEquals(1, h.ca.registered.size());
    }
}
