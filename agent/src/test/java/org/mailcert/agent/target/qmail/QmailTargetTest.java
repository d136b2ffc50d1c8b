package org.mailcert.agent.target.qmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.keychain.FileTree;
import org.mailcert.agent.target.keychain.KeyChainPem;
import org.mailcert.agent.target.keychain.SniSupport;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.testing.Golden;
import org.mailcert.common.testing.TestPki;

class QmailTargetTest {
    @TempDir
    Path root;

    private Path control;
    private static final TestPki.Leaf SERVER_LEAF = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf OTHER_SERVER_LEAF = TestBindings.leaf("mx1.example.com", "mx.example.com");
    private static final TestPki.Leaf MAIL_LEAF = TestBindings.leaf("mail.example.com", "example.com", "*.example.com");
    private static final TestPki.Leaf ORG_LEAF = TestBindings.leaf("mail.example.org");
    private final Binding server = TestBindings.binding("server", "mx1.example.com", SERVER_LEAF);
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", MAIL_LEAF);
    private final Binding org = TestBindings.binding("mail/example.org", "mail.example.org", ORG_LEAF);
    /** What the fake probe was asked, "sni-or-none". */
    /** Probes run in parallel (ServedCheck), so the record must be thread-safe. */
    private final List<String> probed = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void fixture() throws IOException {
        FileTree.copyFixture("qmail", root);
        control = root.resolve("control");
    }

    private QmailTarget target(SniSupport sni, Map<String, Integer> ports) {
        return new QmailTarget(new QmailSettings(root, sni, "127.0.0.1", ports, Duration.ofMillis(300)), filesProbe());
    }

    private QmailTarget target() {
        return target(SniSupport.DETECT, Map.of());
    }

    /** A probe that serves what qmail would: the per-name file for a known SNI name, else servercert.pem. */
    private TlsProbe filesProbe() {
        return (endpoint, sni) -> {
            probed.add(sni.orElse("none"));
            Path file = sni.map(n -> control.resolve("servercerts").resolve(n).resolve("servercert.pem"))
                    .filter(Files::isRegularFile).orElse(control.resolve("servercert.pem"));
            try {
                var leaf = MaterialReader.readPem(Files.readAllBytes(file), null).chain().get(0);
                return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
            } catch (Exception e) {
                throw new ProbeException(endpoint + ": " + e.getMessage(), e);
            }
        };
    }

    private void sagredo() throws IOException {
        Files.createDirectory(control.resolve("servercerts"));
        FileTree.own(control.resolve("servercerts"), "root", "mail", "rwxr-x---");
    }

    private static String leafOf(Path file) {
        return KeyChainPem.leafSha256(file).orElse("none");
    }

    @Test
    void serverWideCertificateReplacesServercertKeepingOwnerGroupAndMode() throws Exception {
        Path servercert = control.resolve("servercert.pem");
        Files.writeString(servercert, "old\n");
        FileTree.own(servercert, "mail", "daemon", "rw-r-----");

        Target.Change change = target().apply(List.of(server));

        assertEquals(Map.of("server", Outcome.INSTALLED), change.report().bindings());
        KeyChainPem.verify(servercert, server.leafSha256());
        assertTrue(Files.readString(servercert).startsWith("-----BEGIN PRIVATE KEY"), "key first");
        Golden.assertMatches("qmail", "server-wide.tree", FileTree.describe(control));
        change.commit();
    }

    @Test
    void newServercertTakesOwnershipOfClientcert() throws Exception {
        Path clientcert = control.resolve("clientcert.pem");
        Files.writeString(clientcert, "client\n");
        FileTree.own(clientcert, "daemon", "mail", "rw-r-----");

        target().apply(List.of(server)).commit();

        assertEquals("daemon:mail rw-r-----", FileTree.describe(control).lines()
                .filter(l -> l.startsWith("servercert.pem")).findFirst().orElseThrow().split("  ")[1]);
    }

    @Test
    void newServercertWithoutClientcertIsRootOnly() throws Exception {
        target().apply(List.of(server)).commit();

        assertTrue(FileTree.describe(control).contains("servercert.pem  root:root rw-------  key + CN=mx1.example.com"),
                FileTree.describe(control));
    }

    @Test
    void secondApplyWithTheSameCertificateWritesNothing() throws Exception {
        target().apply(List.of(server)).commit();
        Path servercert = control.resolve("servercert.pem");
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(servercert, old);

        Target.Change change = target().apply(List.of(server));

        assertEquals(Map.of("server", Outcome.UNCHANGED), change.report().bindings());
        assertFalse(change.report().changed());
        assertEquals(old, Files.getLastModifiedTime(servercert));
    }

    @Test
    void perDomainBindingIsRefusedWithoutSagredoSniAndNothingIsWritten() throws Exception {
        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server, mail)));

        assertTrue(e.restored());
        assertEquals(List.of("mail/example.com"), List.copyOf(e.bindingErrors().keySet()));
        assertTrue(e.bindingErrors().get("mail/example.com").contains("should connect to mx1.example.com"),
                e.bindingErrors().toString());
        assertFalse(Files.exists(control.resolve("servercert.pem")));
        assertFalse(target().inspect().perDomainSni());
    }

    @Test
    void sniSwitchedOffRefusesPerDomainEvenWithSagredoLayout() throws Exception {
        sagredo();

        TargetException e = assertThrows(TargetException.class,
                () -> target(SniSupport.OFF, Map.of()).apply(List.of(mail)));

        assertTrue(e.bindingErrors().get("mail/example.com").contains("the server's host name"));
    }

    @Test
    void sagredoLayoutGetsOneServercertPerExactName() throws Exception {
        sagredo();
        Path servercert = control.resolve("servercert.pem");
        Files.writeString(servercert, "old\n");
        FileTree.own(servercert, "mail", "mail", "rw-r-----");

        Target.Change change = target().apply(List.of(server, mail, org));

        assertEquals(Map.of("server", Outcome.INSTALLED, "mail/example.com", Outcome.INSTALLED, "mail/example.org",
                Outcome.INSTALLED), change.report().bindings());
        assertEquals(mail.leafSha256(), leafOf(control.resolve("servercerts/example.com/servercert.pem")));
        assertEquals(mail.leafSha256(), leafOf(control.resolve("servercerts/mail.example.com/servercert.pem")));
        assertEquals(org.leafSha256(), leafOf(control.resolve("servercerts/mail.example.org/servercert.pem")));
        assertTrue(target().inspect().perDomainSni());
        Golden.assertMatches("qmail", "sagredo.tree", FileTree.describe(control));
    }

    @Test
    void namesNoLongerWantedAreRemovedButOnlyThoseThisTargetCreated() throws Exception {
        sagredo();
        Path own = control.resolve("servercerts/smtp.example.net/servercert.pem");
        Files.createDirectories(own.getParent());
        Files.writeString(own, "the admin's own\n");
        target().apply(List.of(server, mail, org)).commit();

        Target.Change change = target().apply(List.of(server, org));

        assertEquals(List.of("example.com", "mail.example.com"), change.report().removed());
        assertFalse(Files.exists(control.resolve("servercerts/mail.example.com")));
        assertFalse(Files.exists(control.resolve("servercerts/example.com")));
        assertEquals("the admin's own\n", Files.readString(own));
        assertEquals("# Names whose servercerts/<name>/servercert.pem mailcert-agent manages.\nmail.example.org\n",
                Files.readString(control.resolve("servercerts/.mailcert-manifest")));
    }

    @Test
    void rollbackRestoresEveryFileWithItsOwnershipAndRemovesNewOnes() throws Exception {
        sagredo();
        target().apply(List.of(server, mail)).commit();
        Path servercert = control.resolve("servercert.pem");
        FileTree.own(servercert, "mail", "daemon", "rw-r-----");
        String before = FileTree.describe(control);
        byte[] bytes = Files.readAllBytes(servercert);
        Binding newServer = TestBindings.binding("server", "mx1.example.com", OTHER_SERVER_LEAF);

        Target.Change change = target().apply(List.of(newServer, org));
        assertEquals(newServer.leafSha256(), leafOf(servercert));
        assertTrue(Files.exists(control.resolve("servercerts/mail.example.org/servercert.pem")));
        change.rollback();

        assertEquals(before, FileTree.describe(control));
        assertTrue(Arrays.equals(bytes, Files.readAllBytes(servercert)));
    }

    @Test
    void probeThatShowsTheOldCertificateRestoresEverything() throws Exception {
        Path servercert = control.resolve("servercert.pem");
        target().apply(List.of(server)).commit();
        String before = FileTree.describe(control);
        TestPki.Leaf served = TestBindings.leaf("stale.example.com");
        TlsProbe stale = (endpoint, sni) -> new ProbeResult(served.certificate(), TestBindings.sha(served));
        QmailTarget t = new QmailTarget(new QmailSettings(root, SniSupport.DETECT, "127.0.0.1", Map.of("smtp", 2525),
                Duration.ofMillis(250)), stale);

        TargetException e = assertThrows(TargetException.class, () -> t.apply(List.of(
                TestBindings.binding("server", "mx1.example.com", OTHER_SERVER_LEAF))));

        assertTrue(e.restored());
        assertTrue(e.bindingErrors().get("server").contains("smtp 127.0.0.1:2525 without SNI"), e.getMessage());
        assertEquals(before, FileTree.describe(control));
        assertEquals(server.leafSha256(), leafOf(servercert));
    }

    @Test
    void probesEveryNameOnTheConfiguredPortsAfterAChange() throws Exception {
        sagredo();
        target(SniSupport.DETECT, Map.of("smtp", 2525, "smtps", 4465)).apply(List.of(server, org)).commit();

        assertEquals(List.of("mail.example.org", "mail.example.org", "none", "none"), probed.stream().sorted()
                .toList());
    }

    @Test
    void fileThatDoesNotCheckOutIsRestored() throws Exception {
        target().apply(List.of(server)).commit();
        TestPki.Leaf other = TestBindings.leaf("mx1.example.com");
        Binding wrongKey = new Binding("server", Scope.SERVER, "", "mx1.example.com", "c", 2, TestBindings.sha(
                OTHER_SERVER_LEAF), OTHER_SERVER_LEAF.chain(), other.key());

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(wrongKey)));

        assertTrue(e.restored());
        assertTrue(e.bindingErrors().get("server").contains("the key does not match"), e.getMessage());
        assertEquals(server.leafSha256(), leafOf(control.resolve("servercert.pem")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "mail.example.com\nsmtp.evil", "..", "*.example.com", "-x.example.com"})
    void hostileNamesAreRefusedBeforeAnythingIsWritten(String hostile) throws Exception {
        sagredo();
        Binding bad = new Binding("mail/" + hostile, Scope.MAIL, hostile, hostile, "c", 1, TestBindings.sha(MAIL_LEAF),
                MAIL_LEAF.chain(), MAIL_LEAF.key());

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server, bad)));

        assertTrue(e.bindingErrors().containsKey("mail/" + hostile), e.bindingErrors().toString());
        assertFalse(Files.exists(control.resolve("servercert.pem")));
        try (var files = Files.list(control.resolve("servercerts"))) {
            assertEquals(List.of(), files.toList());
        }
        assertFalse(Files.exists(root.resolve("x")));
    }

    @Test
    void upperCaseNamesBecomeLowerCaseDirectories() throws Exception {
        sagredo();
        Binding upper = new Binding("mail/Example.ORG", Scope.MAIL, "Example.ORG", "MAIL.Example.ORG", "c", 1,
                TestBindings.sha(ORG_LEAF), ORG_LEAF.chain(), ORG_LEAF.key());

        target().apply(List.of(upper)).commit();

        try (var files = Files.list(control.resolve("servercerts"))) {
            assertEquals(List.of(".mailcert-manifest", "mail.example.org"), files.map(p -> p.getFileName().toString())
                    .sorted().toList());
        }
    }

    @Test
    void conflictingServerBindingsAreRefused() {
        Binding second = TestBindings.binding("server", "mx1.example.com", OTHER_SERVER_LEAF);

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server, second)));

        assertTrue(e.detail().contains("conflicting server-wide bindings"));
    }

    @Test
    void inspectReportsDomainsOfRcpthostsAndVirtualdomains() throws Exception {
        Files.writeString(control.resolve("servercert.pem"), "x");
        TargetFacts facts = target(SniSupport.DETECT, Map.of("smtp", 25)).inspect();

        Golden.assertMatches("qmail", "inspect.txt", describe(facts));
        assertEquals(Optional.of(new Endpoint("smtp", "127.0.0.1", 25,
                Protocol.SMTP_STARTTLS)), facts.endpoints().stream().findFirst());
    }

    static String describe(TargetFacts facts) {
        return "software: " + facts.software() + "\nversion: " + facts.version() + "\nperDomainSni: "
                + facts.perDomainSni() + "\nendpoints: " + facts.endpoints() + "\ndomains: " + facts.domains()
                + "\nproblems:\n" + String.join("\n", facts.problems().stream().map(p -> "  " + p).toList()) + "\n";
    }
}
