package org.mailcert.controller.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.ControllerException.Kind;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.testing.Controllers;

class BindingServiceTest {
    private static final String HOST = "mx1.example.net";

    @TempDir
    Path dir;
    Controllers c;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        c.declareHost(HOST);
        c.importLeaf("mx1", c.pki.leaf(HOST).issue());
        c.importLeaf("wild", c.pki.leaf("*.example.com", "example.com").issue());
        c.importLeaf("self", TestPki.selfSigned(c.clock, "*.example.org").issue());
    }

    @AfterEach
    void tearDown() {
        c.close();
    }

    private void setFacts(String host, org.mailcert.controller.model.HostFacts facts) {
        try {
            c.setFacts(host, facts);
        } catch (ControllerException e) {
            throw new AssertionError(e);
        }
    }

    private BindResult bind(Scope scope, String domain, String cert) throws ControllerException {
        return c.bindings.bind(Controllers.OPERATOR, HOST, scope, domain, cert);
    }

    private ControllerException refused(Kind kind, Scope scope, String domain, String cert) {
        String before = c.snapshot();
        ControllerException e = assertThrows(ControllerException.class, () -> bind(scope, domain, cert));
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(before, c.snapshot(), "a refused binding changed the store");
        assertFalse(e.getMessage().contains("\n"), "error is one line: " + e.getMessage());
        return e;
    }

    @Test
    void aValidServerCertificateIsBoundWithoutWarnings() throws Exception {
        BindResult r = bind(Scope.SERVER, "", "mx1");
        assertEquals(List.of(), r.binding().warnings());
        assertEquals(HOST, r.binding().servedName());
        assertFalse(r.replaced());
    }

    @Test
    void aWildcardCoversMailAndWebmailOfItsDomain() throws Exception {
        assertEquals("mail.example.com", bind(Scope.MAIL, "example.com", "wild").binding().servedName());
        assertEquals("webmail.example.com", bind(Scope.WEBMAIL, "Example.COM", "wild").binding().servedName());
    }

    @Test
    void aCertificateThatDoesNotCoverTheNameIsRefusedNamingIt() {
        var e = refused(Kind.INVALID, Scope.MAIL, "example.net", "wild");
        assertTrue(e.getMessage().contains("does not cover mail.example.net"), e.getMessage());
        assertTrue(refused(Kind.INVALID, Scope.SERVER, "", "wild").getMessage().contains("does not cover " + HOST));
    }

    @Test
    void aWildcardDoesNotCoverTwoLabels() {
        var e = refused(Kind.INVALID, Scope.MAIL, "sub.example.com", "wild");
        assertTrue(e.getMessage().contains("mail.sub.example.com"), e.getMessage());
    }

    @Test
    void anExpiredCertificateIsRefusedAtBindTime() throws Exception {
        c.clock.advance(Duration.ofDays(91));
        var e = refused(Kind.INVALID, Scope.SERVER, "", "mx1");
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void aSelfSignedCertificateIsAcceptedWithAWarningKeptOnTheBinding() throws Exception {
        Binding b = bind(Scope.MAIL, "example.org", "self").binding();
        assertTrue(b.warnings().stream().anyMatch(w -> w.contains("self-signed")), b.warnings().toString());
        assertEquals(b.warnings(), c.store.binding(b.key()).orElseThrow().warnings());
    }

    @Test
    void aMailBindingWarnsUntilTheServerCertificateIsValid() throws Exception {
        BindingKey mail = new BindingKey(HOST, Scope.MAIL, "example.com");
        List<String> w = bind(Scope.MAIL, "example.com", "wild").binding().warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("only help once the server certificate is valid"), w.get(0));

        bind(Scope.SERVER, "", "mx1");
        assertEquals(List.of(), c.store.binding(mail).orElseThrow().warnings(), "warning cleared by a valid server cert");

        c.bindings.unbind(Controllers.OPERATOR, HOST, Scope.SERVER, "");
        assertTrue(c.store.binding(mail).orElseThrow().warnings().get(0).contains("has no server binding"));
    }

    @Test
    void aSelfSignedServerCertificateMakesMailBindingsWarn() throws Exception {
        c.importLeaf("mx1-self", TestPki.selfSigned(c.clock, HOST).issue());
        bind(Scope.SERVER, "", "mx1-self");
        List<String> w = bind(Scope.MAIL, "example.com", "wild").binding().warnings();
        assertTrue(w.get(0).contains("self-signed"), w.toString());
    }

    @Test
    void aMailBindingOnAHostWithoutSniIsRefusedWithAdvice() throws Exception {
        c.setSni(HOST, SniSupport.NO);
        var e = refused(Kind.INVALID, Scope.MAIL, "example.com", "wild");
        assertTrue(e.getMessage().contains("use " + HOST), e.getMessage());
        // The server certificate and webmail are still fine on such a host.
        bind(Scope.SERVER, "", "mx1");
        bind(Scope.WEBMAIL, "example.com", "wild");
    }

    @Test
    void aPostfix37AndDovecotHostAcceptsMailBindings() throws Exception {
        c.setFacts(HOST, Controllers.factsOf(List.of("example.com"),
                Controllers.service("postfix", "3.7.11", true, "smtp", "submission"),
                Controllers.service("dovecot", "2.3.19", true, "imap", "imaps")));
        assertEquals("mail.example.com", bind(Scope.MAIL, "example.com", "wild").binding().servedName());
    }

    @Test
    void aQmailHostRefusesMailBindingsNamingQmailWithTheAdvice() {
        setFacts(HOST, Controllers.factsOf(List.of("example.com"),
                Controllers.service("qmail", "1.03", false, "smtp", "smtps")));
        var e = refused(Kind.INVALID, Scope.MAIL, "example.com", "wild");
        assertEquals("host mx1.example.net cannot serve per-domain certificates (qmail 1.03 serves only the"
                + " server-wide certificate); bind a server certificate that covers mx1.example.net and have clients"
                + " of example.com use mx1.example.net, or bind as the server certificate one whose SANs also cover"
                + " mail.example.com (a SAN bundle)", e.getMessage());
    }

    @Test
    void aPostfix33HostRefusesMailBindingsSayingWhichVersionIsNeeded() {
        setFacts(HOST, Controllers.factsOf(List.of("example.com"),
                Controllers.service("postfix", "3.3.0", false, "smtp"),
                Controllers.service("dovecot", "2.3.19", true, "imaps")));
        var e = refused(Kind.INVALID, Scope.MAIL, "example.com", "wild");
        assertTrue(e.getMessage().contains("(postfix 3.3.0 serves only the server-wide certificate, per-domain"
                + " certificates need Postfix 3.4 or later)"), e.getMessage());
        assertFalse(e.getMessage().contains("dovecot"), e.getMessage());
    }

    @Test
    void aHostWhoseSniSupportIsUnknownStillAcceptsMailBindings() throws Exception {
        assertEquals(SniSupport.UNKNOWN, c.store.hostStatus(HOST).facts().sni(), "nothing reported yet");
        bind(Scope.MAIL, "example.com", "wild");
        c.setFacts(HOST, Controllers.factsOf(List.of("example.com")));
        assertEquals(SniSupport.UNKNOWN, c.store.hostStatus(HOST).facts().sni(), "files target only");
        bind(Scope.MAIL, "example.com", "wild");
    }

    @Test
    void rebindingReplacesAndUnbindRemoves() throws Exception {
        bind(Scope.MAIL, "example.com", "wild");
        c.importLeaf("wild2", c.pki.leaf("mail.example.com").issue());
        assertTrue(bind(Scope.MAIL, "example.com", "wild2").replaced());
        assertEquals("wild2", c.bindings.list(HOST).get(0).certificate());
        long before = c.hosts.show(HOST).desiredVersion();
        c.bindings.unbind(Controllers.OPERATOR, HOST, Scope.MAIL, "example.com");
        assertEquals(List.of(), c.bindings.list(HOST));
        assertTrue(c.hosts.show(HOST).desiredVersion() > before, "a removal moves the host's desired version");
    }

    @ParameterizedTest(name = "hostile domain \"{0}\" is refused")
    @ValueSource(strings = {"../../etc", "a b", "x;y", "x}", "ex\nample.com", "example.com\u0000", "$(id).com", ""})
    void hostileDomainsAreRefusedAndNothingIsStored(String domain) {
        refused(Kind.INVALID, Scope.MAIL, domain, "wild");
    }

    @Test
    void unknownHostsAndCertificatesAreNotFound() {
        String before = c.snapshot();
        var e = assertThrows(ControllerException.class,
                () -> c.bindings.bind(Controllers.OPERATOR, "nope.example.net", Scope.SERVER, "", "mx1"));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("token create --host nope.example.net"), e.getMessage());
        assertEquals(Kind.NOT_FOUND, refused(Kind.NOT_FOUND, Scope.SERVER, "", "missing").kind());
        assertEquals(before, c.snapshot());
    }

    @Test
    void aServerBindingTakesNoDomainAndOthersNeedOne() {
        refused(Kind.INVALID, Scope.SERVER, "example.com", "mx1");
        refused(Kind.INVALID, Scope.WEBMAIL, "", "wild");
    }

    @Test
    void aNewVersionThatNoLongerCoversABoundNameIsRefused() throws Exception {
        bind(Scope.MAIL, "example.com", "wild");
        String before = c.snapshot();
        var e = assertThrows(ControllerException.class, () -> c.certificates.importCertificate(Controllers.OPERATOR,
                new org.mailcert.controller.certs.ImportRequest("wild",
                        c.pki.leaf("mail.other.test").issue().combinedPem().getBytes(), new byte[0], new byte[0], null, true)));
        assertEquals(Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("mail.example.com"), e.getMessage());
        assertEquals(before, c.snapshot());
    }

    @Test
    void deletingABoundCertificateIsRefusedUntilUnbound() throws Exception {
        bind(Scope.SERVER, "", "mx1");
        var e = assertThrows(ControllerException.class, () -> c.certificates.delete(Controllers.OPERATOR, "mx1"));
        assertEquals(Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains(HOST + " server"), e.getMessage());
        c.bindings.unbind(Controllers.OPERATOR, HOST, Scope.SERVER, "");
        assertEquals(1, c.certificates.delete(Controllers.OPERATOR, "mx1"));
    }
}
