package org.mailcert.agent.target.courier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
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

class CourierTargetTest {
    private static final TestPki.Leaf SERVER_LEAF = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf OTHER_SERVER_LEAF = TestBindings.leaf("mx1.example.com", "mx.example.com");
    private static final TestPki.Leaf MAIL_LEAF = TestBindings.leaf("mail.example.com", "example.com", "*.example.com");
    private static final TestPki.Leaf ORG_LEAF = TestBindings.leaf("mail.example.org");

    @TempDir
    Path dir;

    private final Binding server = TestBindings.binding("server", "mx1.example.com", SERVER_LEAF);
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", MAIL_LEAF);
    private final Binding org = TestBindings.binding("mail/example.org", "mail.example.org", ORG_LEAF);
    private final RecordingCommandRunner runner = new RecordingCommandRunner();
    /** Probes run in parallel (ServedCheck), so the record must be thread-safe. */
    private final List<String> probed = Collections.synchronizedList(new ArrayList<>());
    private Path withSni;
    private Path withoutSni;

    @BeforeEach
    void fixture() throws IOException {
        CourierFixture fixture = CourierFixture.install(dir);
        withSni = fixture.withSni();
        withoutSni = fixture.withoutSni();
    }

    private CourierTarget target(SniSupport sni, Path couriertls, TlsProbe probe) {
        return new CourierTarget(new CourierSettings(dir, sni, couriertls, "127.0.0.1", Duration.ofMillis(300)), runner,
                probe);
    }

    private CourierTarget target() {
        return target(SniSupport.DETECT, withSni, filesProbe());
    }

    /**
     * Serves what couriertls would: {@code $TLS_CERTFILE.<sni>} when it exists, else {@code
     * $TLS_CERTFILE}, with the file of the endpoint's configuration.
     */
    private TlsProbe filesProbe() {
        return (endpoint, sni) -> {
            probed.add(endpoint.service() + ":" + endpoint.port() + " " + sni.orElse("none"));
            String base = switch (endpoint.service()) {
                case "pop3", "pop3s" -> "pop3d.pem";
                case "smtps" -> "esmtpd.pem";
                default -> "imapd.pem";
            };
            Path file = sni.map(n -> dir.resolve(base + "." + n)).filter(Files::isRegularFile)
                    .orElse(dir.resolve(base));
            try {
                var leaf = MaterialReader.readPem(Files.readAllBytes(file), null).chain().get(0);
                return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
            } catch (Exception e) {
                throw new ProbeException(endpoint + ": " + e.getMessage(), e);
            }
        };
    }

    private String leafOf(String file) {
        return KeyChainPem.leafSha256(dir.resolve(file)).orElse("none");
    }

    private String pemTree() {
        return FileTree.describe(dir).lines().filter(l -> l.split("  ")[0].matches(".*\\.pem.*|\\.mailcert.*"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void serverWideCertificateGoesToEveryTlsCertfileKeepingOwnership() throws Exception {
        Target.Change change = target().apply(List.of(server));

        assertEquals(Map.of("server", Outcome.INSTALLED), change.report().bindings());
        for (String f : List.of("imapd.pem", "pop3d.pem", "esmtpd.pem")) {
            KeyChainPem.verify(dir.resolve(f), server.leafSha256());
        }
        Golden.assertMatches("courier", "server-wide.tree", pemTree());
        change.commit();
    }

    @Test
    void everyEnabledTlsPortIsProbedWithoutSniAfterAChange() throws Exception {
        target().apply(List.of(server)).commit();

        Golden.assertMatches("courier", "server-wide.probes", probed.stream().sorted()
                .collect(Collectors.joining("\n", "", "\n")));
    }

    @Test
    void perNameFilesSitBesideEachCertfileWhenCouriertlsHasSni() throws Exception {
        Target.Change change = target().apply(List.of(server, mail, org));

        assertEquals(mail.leafSha256(), leafOf("imapd.pem.mail.example.com"));
        assertEquals(mail.leafSha256(), leafOf("pop3d.pem.example.com"));
        assertEquals(org.leafSha256(), leafOf("esmtpd.pem.mail.example.org"));
        assertFalse(Files.exists(dir.resolve("imapd.pem.*.example.com")), "couriertls matches no wildcard files");
        assertEquals(server.leafSha256(), leafOf("imapd.pem.mx1.example.com"),
                "the server's own name keeps the server-wide certificate under example.com's file");
        assertEquals(3, change.report().bindings().size());
        Golden.assertMatches("courier", "per-name.tree", pemTree());
    }

    @Test
    void perDomainBindingIsRefusedWhenCouriertlsHasNoSni() throws Exception {
        TargetException e = assertThrows(TargetException.class,
                () -> target(SniSupport.DETECT, withoutSni, filesProbe()).apply(List.of(server, mail)));

        assertTrue(e.restored());
        assertEquals(List.of("mail/example.com"), List.copyOf(e.bindingErrors().keySet()));
        assertTrue(e.bindingErrors().get("mail/example.com").contains("built without SNI support"));
        assertTrue(e.bindingErrors().get("mail/example.com").contains("should connect to mx1.example.com"));
        assertEquals("old imapd\n", Files.readString(dir.resolve("imapd.pem")));
    }

    @Test
    void sniSwitchedOffRefusesPerDomainAndMissingCouriertlsMeansNoSni() throws Exception {
        assertThrows(TargetException.class, () -> target(SniSupport.OFF, withSni, filesProbe()).apply(List.of(mail)));
        assertFalse(target(SniSupport.DETECT, dir.resolve("nope"), filesProbe()).inspect().perDomainSni());
        assertTrue(target(SniSupport.ON, withoutSni, filesProbe()).inspect().perDomainSni());
    }

    @Test
    void namesNoLongerWantedAreRemovedButOnlyThoseThisTargetCreated() throws Exception {
        Path admins = dir.resolve("imapd.pem.imap.example.net");
        Files.writeString(admins, "the admin's own\n");
        target().apply(List.of(server, mail, org)).commit();

        Target.Change change = target().apply(List.of(server, org));

        assertEquals(List.of("example.com", "mail.example.com", "mx1.example.com"), change.report().removed());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("esmtpd.pem.mail.example.org", "imapd.pem.imap.example.net", "imapd.pem.mail.example.org",
                    "pop3d.pem.mail.example.org"), files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches(".*\\.pem\\..*")).sorted().toList());
        }
        assertEquals("the admin's own\n", Files.readString(admins));
    }

    @Test
    void rollbackRestoresTheOldFilesAndDeletesNewOnes() throws Exception {
        String before = FileTree.describe(dir);

        Target.Change change = target().apply(List.of(server, org));
        change.rollback();

        assertEquals(before, FileTree.describe(dir));
        assertEquals("old imapd\n", Files.readString(dir.resolve("imapd.pem")));
    }

    @Test
    void probeThatShowsTheOldCertificateRestoresEverything() throws Exception {
        target().apply(List.of(server)).commit();
        String before = FileTree.describe(dir);
        TlsProbe stale = (endpoint, sni) -> new ProbeResult(SERVER_LEAF.certificate(), TestBindings.sha(SERVER_LEAF));
        Binding next = TestBindings.binding("server", "mx1.example.com", OTHER_SERVER_LEAF);

        TargetException e = assertThrows(TargetException.class,
                () -> target(SniSupport.DETECT, withSni, stale).apply(List.of(next)));

        assertTrue(e.restored());
        assertTrue(e.bindingErrors().get("server").contains("without SNI"), e.getMessage());
        assertEquals(before, FileTree.describe(dir));
    }

    @Test
    void noTlsCertfileAnywhereIsAnError() throws Exception {
        for (String f : List.of("imapd-ssl", "pop3d-ssl", "esmtpd", "esmtpd-ssl")) {
            Files.delete(dir.resolve(f));
        }

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server)));

        assertTrue(e.bindingErrors().get("server").contains("no TLS_CERTFILE"), e.getMessage());
    }

    @Test
    void certfileThatNeedsAShellIsNotUsed() throws Exception {
        Files.writeString(dir.resolve("esmtpd-ssl"), "ESMTPDSSLSTART=NO\nTLS_CERTFILE=${sysconfdir}/esmtpd.pem\n");

        target().apply(List.of(server)).commit();

        assertFalse(Files.exists(dir.resolve("esmtpd.pem")));
        assertTrue(target().inspect().problems().stream().anyMatch(p -> p.contains("needs a shell")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "mail.example.com\nx", "..", "*.example.com", "x..example.com"})
    void hostileNamesAreRefusedBeforeAnythingIsWritten(String hostile) throws Exception {
        String before = FileTree.describe(dir);
        Binding bad = new Binding("mail/" + hostile, Scope.MAIL, hostile, hostile, "c", 1, TestBindings.sha(MAIL_LEAF),
                MAIL_LEAF.chain(), MAIL_LEAF.key());

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server, bad)));

        assertTrue(e.bindingErrors().containsKey("mail/" + hostile), e.bindingErrors().toString());
        assertEquals(before, FileTree.describe(dir));
    }

    @Test
    void upperCaseNamesBecomeLowerCaseFileNames() throws Exception {
        Binding upper = new Binding("mail/Example.ORG", Scope.MAIL, "Example.ORG", "MAIL.Example.ORG", "c", 1,
                TestBindings.sha(ORG_LEAF), ORG_LEAF.chain(), ORG_LEAF.key());

        target().apply(List.of(upper)).commit();

        assertEquals(org.leafSha256(), leafOf("imapd.pem.mail.example.org"));
        assertEquals("old imapd\n", Files.readString(dir.resolve("imapd.pem")), "no server binding: left alone");
    }

    @Test
    void inspectReportsVersionEndpointsAndDomains() throws Exception {
        runner.thenReturn(CommandResult.exited(0, "1.0.16-3+b6"));

        TargetFacts facts = target().inspect();

        Golden.assertMatches("courier", "inspect.txt", describe(facts).replace(dir.toString(), "@DIR@"));
        Golden.assertMatches("courier", "inspect.commands", runner.commands().stream().map(Command::display)
                .collect(Collectors.joining("\n", "", "\n")));
    }

    @Test
    void versionIsEmptyWithoutDpkg() throws Exception {
        runner.thenReturn(CommandResult.exited(1, "dpkg-query: no packages found matching courier-base"));

        assertEquals("", target().inspect().version());
    }

    static String describe(TargetFacts facts) {
        return "software: " + facts.software() + "\nversion: " + facts.version() + "\nperDomainSni: "
                + facts.perDomainSni() + "\nendpoints: " + facts.endpoints() + "\ndomains: " + facts.domains()
                + "\nproblems:\n" + String.join("\n", facts.problems().stream().map(p -> "  " + p).toList()) + "\n";
    }

    @Test
    void theSubmissionServiceOfEsmtpdMsaIsProbedAndItsOwnCertificateFileUsed() throws IOException {
        Files.writeString(dir.resolve("esmtpd-msa"), "ESMTPDSTART=YES\nPORT=127.0.0.1.587\nTLS_CERTFILE=" + dir
                + "/msa.pem\n");
        CourierLayout layout = CourierLayout.read(dir, "127.0.0.1");
        assertTrue(layout.endpoints().contains(new Endpoint("submission", "127.0.0.1", 587,
                Protocol.SMTP_STARTTLS)), layout.endpoints().toString());
        assertEquals(List.of("esmtpd-msa"), layout.certFiles().get(dir.resolve("msa.pem")));

        Files.writeString(dir.resolve("esmtpd-msa"), "ESMTPDSTART=NO\n");
        assertTrue(CourierLayout.read(dir, "127.0.0.1").endpoints().stream()
                .noneMatch(e -> e.service().equals("submission")));
    }
}
