package org.mailcert.agent.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.common.testing.TestPki;

/** Each named check, on an observation that differs from the desired state in one way. */
class DriftChecksTest {
    private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
    private static final TestPki PKI = TestPki.rootCa("Drift Root").intermediate("Drift CA");
    private static final TestPki OTHER = TestPki.rootCa("Unknown Root");
    private static final Endpoint IMAPS = new Endpoint("imaps", "127.0.0.1", 993, Protocol.IMPLICIT);

    private static TestPki.Leaf leaf(Instant from, Instant until, String... names) {
        return PKI.leaf(names).validity(from, until).issue();
    }

    private static TestPki.Leaf valid(String... names) {
        return leaf(NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(80)), names);
    }

    private final TestPki.Leaf mailLeaf = valid("mail.example.com");
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", mailLeaf);
    private final TestPki.Leaf serverLeaf = valid("mx1.example.net", "mail.example.org");
    private final Binding server = TestBindings.binding("server", "mx1.example.net", serverLeaf);
    private final Observed.File key = new Observed.File(Path.of("/d/k.pem"), true, "aa",
            Optional.of(new Observed.Found("aa", true)));
    private final Observed.File chain = new Observed.File(Path.of("/d/c.pem"), false, "bb",
            Optional.of(new Observed.Found("bb", true)));
    private final Observed.Served servedRight = new Observed.Served(IMAPS, Optional.of("mail.example.com"),
            Optional.of(mailLeaf.certificate()), "");

    private Observed.OfBinding observed(Binding b, List<Observed.File> files, List<Observed.Served> served) {
        return new Observed.OfBinding(b, "dovecot", files, served);
    }

    private List<DriftItem> run(List<Observed.OfBinding> bindings, List<Observed.Config> configs, Set<String> domains,
            Set<String> noSni, Optional<TrustChecker> trust, Instant now) {
        return DriftChecks.run(new DriftChecks.Inputs(new Observed.Host(bindings, configs, Optional.of(server), domains,
                noSni), DriftPolicy.DEFAULT, trust, now));
    }

    private List<DriftItem> run(Observed.OfBinding... bindings) {
        return run(List.of(bindings), List.of(), Set.of(), Set.of(), Optional.empty(), NOW);
    }

    private static List<String> reasons(List<DriftItem> items) {
        return items.stream().map(i -> i.reason().label()).toList();
    }

    @Test
    void aHostAsDesiredHasNoDrift() {
        assertEquals(List.of(), run(observed(mail, List.of(key, chain), List.of(servedRight))));
    }

    @Test
    void aMissingFileIsFileMissing() {
        Observed.File gone = new Observed.File(Path.of("/d/k.pem"), true, "aa", Optional.empty());
        List<DriftItem> items = run(observed(mail, List.of(gone, chain), List.of(servedRight)));
        assertEquals(List.of("FileMissing"), reasons(items));
        assertEquals("FileMissing mail/example.com (dovecot): /d/k.pem is missing", items.get(0).toString());
    }

    @Test
    void otherContentIsFileChangedAndAReadableKeyIsKeyPermissionsWrong() {
        Observed.File edited = new Observed.File(Path.of("/d/c.pem"), false, "bb",
                Optional.of(new Observed.Found("cc", true)));
        Observed.File open = new Observed.File(Path.of("/d/k.pem"), true, "aa",
                Optional.of(new Observed.Found("aa", false)));
        Observed.File openChain = new Observed.File(Path.of("/d/c2.pem"), false, "dd",
                Optional.of(new Observed.Found("dd", false)));
        assertEquals(List.of("FileChanged", "KeyPermissionsWrong"),
                reasons(run(observed(mail, List.of(open, edited, openChain), List.of(servedRight)))),
                "a chain others can read is no drift; a key is");
    }

    @Test
    void anotherLeafOrAFailedHandshakeIsServedMismatch() {
        TestPki.Leaf stale = valid("mail.example.com");
        Observed.Served wrong = new Observed.Served(IMAPS, Optional.of("mail.example.com"),
                Optional.of(stale.certificate()), "");
        Observed.Served failed = new Observed.Served(IMAPS, Optional.empty(), Optional.empty(), "connection refused");
        List<DriftItem> items = run(observed(mail, List.of(key), List.of(wrong, failed)));
        assertEquals(List.of("ServedMismatch", "ServedMismatch"), reasons(items));
        assertTrue(items.get(0).message().contains("imaps 127.0.0.1:993 for mail.example.com serves sha256:"),
                items.get(0).message());
        assertTrue(items.get(1).message().contains("without SNI: no certificate (connection refused)"),
                items.get(1).message());
    }

    @Test
    void aServedLeafThatDoesNotCoverTheNameIsNameMismatch() {
        TestPki.Leaf narrow = valid("imap.example.com");
        Binding b = TestBindings.binding("mail/example.com", "mail.example.com", narrow);
        Observed.Served s = new Observed.Served(IMAPS, Optional.of("mail.example.com"),
                Optional.of(narrow.certificate()), "");
        assertEquals(List.of("NameMismatch"), reasons(run(observed(b, List.of(key), List.of(s)))));
    }

    @Test
    void aRemovedOrChangedManagedConfigIsConfigEdited() {
        List<Observed.Config> configs = List.of(
                new Observed.Config("postfix", "main.cf tls_server_sni_maps", "hash:/m/sni-1", Optional.empty()),
                new Observed.Config("dovecot", "conf.d/99-mailcert.conf", "sha-1", Optional.of("sha-2")),
                new Observed.Config("postfix", "main.cf smtpd_tls_chain_files", "/m/a.pem", Optional.of("/m/a.pem")));
        List<DriftItem> items = run(List.of(), configs, Set.of(), Set.of(), Optional.empty(), NOW);
        assertEquals(List.of("ConfigEdited", "ConfigEdited"), reasons(items));
        assertEquals("main.cf tls_server_sni_maps was removed", items.get(0).message());
        assertEquals("conf.d/99-mailcert.conf was changed", items.get(1).message());
    }

    @Test
    void expiringFollowsTheSmallerOfTwentyOneDaysAndAThirdOfTheLifetime() {
        TestPki.Leaf ninetyDays = leaf(NOW.minus(Duration.ofDays(70)), NOW.plus(Duration.ofDays(20)), "mail.example.com");
        TestPki.Leaf ninetyDaysEarly = leaf(NOW.minus(Duration.ofDays(68)), NOW.plus(Duration.ofDays(22)),
                "mail.example.com");
        TestPki.Leaf sixDays = leaf(NOW.minus(Duration.ofDays(3)), NOW.plus(Duration.ofDays(3)), "mail.example.com");
        TestPki.Leaf sixDaysLate = leaf(NOW.minus(Duration.ofDays(5)), NOW.plus(Duration.ofDays(1)), "mail.example.com");
        assertEquals(List.of("Expiring"), reasons(only(ninetyDays)), "90 days, 20 left: under 21 days");
        assertEquals(List.of(), reasons(only(ninetyDaysEarly)), "90 days, 22 left");
        assertEquals(List.of(), reasons(only(sixDays)), "6 days, 3 left: over a third");
        assertEquals(List.of("Expiring"), reasons(only(sixDaysLate)), "6 days, 1 left: under a third");
    }

    @Test
    void aCertificatePastItsEndIsExpiredNotExpiring() {
        TestPki.Leaf old = leaf(NOW.minus(Duration.ofDays(100)), NOW.minus(Duration.ofDays(10)), "mail.example.com");
        List<DriftItem> items = only(old);
        assertEquals(List.of("Expired"), reasons(items));
        assertTrue(items.get(0).message().endsWith("expired at " + NOW.minus(Duration.ofDays(10))), items.get(0).message());
    }

    private List<DriftItem> only(TestPki.Leaf l) {
        Binding b = TestBindings.binding("mail/example.com", "mail.example.com", l);
        Observed.Served s = new Observed.Served(IMAPS, Optional.of("mail.example.com"), Optional.of(l.certificate()), "");
        return run(observed(b, List.of(key), List.of(s)));
    }

    @Test
    void aChainThatDoesNotVerifyIsUntrustedAndASickServerCertificateIsReportedForTheHost() {
        TestPki.Leaf stranger = OTHER.leaf("mail.example.com").validity(NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(60))).issue();
        Binding b = TestBindings.binding("mail/example.com", "mail.example.com", stranger);
        Observed.Served s = new Observed.Served(IMAPS, Optional.of("mail.example.com"),
                Optional.of(stranger.certificate()), "");
        TrustChecker trust = new TrustChecker(List.of(PKI.root()));
        assertEquals(List.of("Untrusted"), reasons(run(List.of(observed(b, List.of(key), List.of(s))), List.of(),
                Set.of(), Set.of(), Optional.of(trust), NOW)));
        TrustChecker onlyOther = new TrustChecker(List.of(OTHER.root()));
        List<DriftItem> items = run(List.of(observed(b, List.of(key), List.of(s))), List.of(), Set.of(), Set.of(),
                Optional.of(onlyOther), NOW);
        assertEquals(List.of("Untrusted", "ServerCertificateInvalid"), reasons(items),
                "the server certificate is from a root this host does not trust");
        assertEquals("server", items.get(0).subject());
        assertEquals(DriftItem.HOST, items.get(1).subject());
    }

    @Test
    void perDomainBindingsOnAServerWithoutSniAreUnsupportedOnThisServer() {
        List<DriftItem> items = run(List.of(observed(mail, List.of(key), List.of(servedRight))), List.of(), Set.of(),
                Set.of("qmail"), Optional.empty(), NOW);
        assertEquals(List.of("UnsupportedOnThisServer"), reasons(items));
        assertEquals("qmail", items.get(0).target());
    }

    @Test
    void aDiscoveredDomainWithoutBindingOrServerCoverageIsDomainUncovered() {
        List<DriftItem> items = run(List.of(observed(mail, List.of(key), List.of(servedRight))), List.of(),
                Set.of("example.com", "example.org", "example.net"), Set.of(), Optional.empty(), NOW);
        assertEquals(List.of("DomainUncovered"), reasons(items),
                "example.com is bound, mail.example.org is in the server certificate");
        assertTrue(items.get(0).message().startsWith("the host serves mail for example.net but no certificate covers"
                + " mail.example.net"), items.get(0).message());
    }

    @Test
    void everyReasonHasACheckAndOnlyTheInstallingOnesAreRepairable() {
        List<Reason> checked = new ArrayList<>();
        DriftChecks.BINDING_CHECKS.forEach(c -> checked.add(c.reason()));
        DriftChecks.HOST_CHECKS.forEach(c -> checked.add(c.reason()));
        assertEquals(Set.of(Reason.values()), Set.copyOf(checked));
        assertEquals(Reason.values().length, checked.size(), "one check per reason");
        assertEquals(List.of(Reason.FILE_MISSING, Reason.FILE_CHANGED, Reason.KEY_PERMISSIONS_WRONG,
                Reason.CONFIG_EDITED, Reason.SERVED_MISMATCH),
                List.of(Reason.values()).stream().filter(Reason::repairable).toList());
    }
}
