package org.mailcert.agent.target.courier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftItem;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.keychain.FileTree;
import org.mailcert.agent.target.keychain.SniSupport;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.testing.TestPki;

/**
 * The Courier target observed by a drift cycle, against a fake couriertls that serves the files its
 * configuration names: tampering of each kind.
 */
class CourierDriftTest {
    private static final TestPki.Leaf SERVER_LEAF = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf MAIL_LEAF = TestBindings.leaf("mail.example.com", "example.com", "*.example.com");
    private static final TestPki.Leaf ORG_LEAF = TestBindings.leaf("mail.example.org");

    @TempDir
    Path dir;

    private final Binding server = TestBindings.binding("server", "mx1.example.com", SERVER_LEAF);
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", MAIL_LEAF);
    private final Binding org = TestBindings.binding("mail/example.org", "mail.example.org", ORG_LEAF);
    private final List<Binding> desired = List.of(server, mail, org);
    private final RecordingCommandRunner runner = new RecordingCommandRunner();
    /** Handshakes the fake couriertls answered, "service sni-or-none"; probes run in parallel. */
    private final List<String> probed = Collections.synchronizedList(new ArrayList<>());
    /** Whether the fake couriertls looks up {@code $TLS_CERTFILE.<name>} files. */
    private volatile boolean sniBuilt = true;
    private Path withSni;
    private Path withoutSni;
    private CourierTarget target;
    private DriftCycle cycle;

    @BeforeEach
    void applied() throws Exception {
        CourierFixture fixture = CourierFixture.install(dir);
        withSni = fixture.withSni();
        withoutSni = fixture.withoutSni();
        target = target(dir, withSni);
        target.apply(desired).commit();
        cycle = cycle(dir);
        probed.clear();
    }

    private CourierTarget target(Path configDir, Path couriertls) {
        return new CourierTarget(new CourierSettings(configDir, SniSupport.DETECT, couriertls, "127.0.0.1",
                Duration.ofMillis(300)), runner, fakeCouriertls(configDir));
    }

    private DriftCycle cycle(Path configDir) {
        return new DriftCycle(new ServedObserver(fakeCouriertls(configDir), 2, Duration.ofSeconds(10)), 100,
                DriftPolicy.DEFAULT, Optional.empty(), Clock.systemUTC());
    }

    /**
     * Serves what couriertls would: the {@code TLS_CERTFILE} of the endpoint's configuration file,
     * or with SNI the first of {@code $TLS_CERTFILE.<name>} and its parent domains' files that
     * exists; no handshake without a {@code TLS_CERTFILE}.
     */
    private TlsProbe fakeCouriertls(Path configDir) {
        return (endpoint, sni) -> {
            probed.add(endpoint.service() + " " + sni.orElse("none"));
            String config = switch (endpoint.service()) {
                case "pop3", "pop3s" -> "pop3d-ssl";
                case "smtp" -> "esmtpd";
                case "smtps" -> "esmtpd-ssl";
                default -> "imapd-ssl";
            };
            try {
                Path base = Path.of(CourierConfig.read(configDir.resolve(config)).flatMap(c -> c.get("TLS_CERTFILE"))
                        .orElseThrow(() -> new ProbeException(endpoint + ": no TLS_CERTFILE in " + config, null)));
                Path file = base;
                String n = sni.filter(x -> sniBuilt).orElse("");
                for (; n.contains("."); n = n.substring(n.indexOf('.') + 1)) {
                    Path candidate = base.resolveSibling(base.getFileName() + "." + n);
                    if (Files.isRegularFile(candidate)) {
                        file = candidate;
                        break;
                    }
                }
                var leaf = MaterialReader.readPem(Files.readAllBytes(file), null).chain().get(0);
                return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
            } catch (ProbeException e) {
                throw e;
            } catch (Exception e) {
                throw new ProbeException(endpoint + ": " + e.getMessage(), e);
            }
        };
    }

    private List<String> drift() throws Exception {
        return drift(target, desired);
    }

    private List<String> drift(CourierTarget t, List<Binding> bindings) throws Exception {
        return cycle.run(bindings, List.of(t), Set.of()).stream()
                .map(i -> i.reason().label() + " " + i.subject()).distinct().toList();
    }

    private String tree() {
        return FileTree.describe(dir);
    }

    @Test
    void anAppliedStateHasNoDriftAndEveryNameIsProbedOnEveryEnabledPort() throws Exception {
        String before = tree();

        assertEquals(List.of(), drift());

        // imap 143, imaps 993, pop3 110, smtp 25 and 2525, smtps 465: without SNI, each per-domain
        // name, and the server's own name that example.com's files would otherwise capture.
        assertEquals(6 * 5, probed.size(), probed.toString());
        assertTrue(probed.containsAll(List.of("imaps none", "pop3 example.com", "smtps mail.example.org",
                "imap mx1.example.com", "smtp mail.example.com")), probed.toString());
        assertEquals(before, tree(), "observing changes nothing");
    }

    @Test
    void observingReadsTheFilesAndSettingsAndRunsNothing() throws Exception {
        String before = tree();

        TargetObservation o = target.observe(desired);

        assertEquals(List.of(), probed);
        assertEquals(List.of(), runner.commands(), "no dpkg-query, no couriertls");
        assertEquals(before, tree());
        assertTrue(o.perDomain());
        assertEquals(List.of(dir.resolve("imapd.pem"), dir.resolve("pop3d.pem"), dir.resolve("esmtpd.pem"),
                dir.resolve("imapd.pem.mx1.example.com"), dir.resolve("pop3d.pem.mx1.example.com"),
                dir.resolve("esmtpd.pem.mx1.example.com")), o.files().get("server").stream()
                .map(Observed.File::path).toList());
        assertEquals(6, o.files().get("mail/example.com").size(), "two names beside each of three files");
        assertTrue(o.files().values().stream().flatMap(List::stream).allMatch(f -> f.secret()
                && f.found().isPresent() && f.found().get().ownerOnly()
                && f.found().get().sha256().equals(f.expectedSha256())),
                "root:mail rw-r----- and daemon:daemon rw------- are as they should be");
        assertEquals(Map.of("example.com", "mail/example.com", "mail.example.com", "mail/example.com",
                "mail.example.org", "mail/example.org", "mx1.example.com", "server"), o.names());
        assertEquals(List.of(dir.resolve(".mailcert-manifest").toString(), dir.resolve("imapd-ssl") + " TLS_CERTFILE",
                dir.resolve("pop3d-ssl") + " TLS_CERTFILE", dir.resolve("esmtpd") + " TLS_CERTFILE",
                dir.resolve("esmtpd-ssl") + " TLS_CERTFILE"), o.configs().stream().map(Observed.Config::item).toList());
        assertTrue(o.configs().stream().allMatch(c -> c.found().equals(Optional.of(c.expected()))), o.configs()
                .toString());
    }

    @Test
    void aDeletedPerNameFileIsMissingAndCouriertlsFallsBackToTheServerWideOne() throws Exception {
        Path deleted = dir.resolve("esmtpd.pem.mail.example.org");
        Files.delete(deleted);

        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());

        assertEquals(List.of("FileMissing mail/example.org", "ServedMismatch mail/example.org",
                "NameMismatch mail/example.org"), items.stream().map(i -> i.reason().label() + " " + i.subject())
                .distinct().toList());
        assertEquals("FileMissing mail/example.org (courier): " + deleted + " is missing", items.get(0).toString());
        assertTrue(items.stream().filter(i -> i.reason().label().equals("ServedMismatch"))
                .allMatch(i -> i.message().startsWith("smtps 127.0.0.1:465 for mail.example.org serves")),
                "only the port whose file is gone: " + items);
    }

    @Test
    void anotherCertificateInACertfileIsFileChangedAndServedMismatch() throws Exception {
        TestPki.Leaf other = TestBindings.leaf("mx1.example.com");
        Files.writeString(dir.resolve("pop3d.pem"), other.keyPem() + other.chainPem());

        assertEquals(List.of("FileChanged server", "ServedMismatch server"), drift());
    }

    @Test
    void aKeyOthersCanReadIsKeyPermissionsWrongAndAnApplyTakesTheirAccessAway() throws Exception {
        Path imapd = dir.resolve("imapd.pem");
        Files.setPosixFilePermissions(imapd, PosixFilePermissions.fromString("rw-r--r--"));

        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());
        assertEquals(List.of("KeyPermissionsWrong server (courier)"), items.stream()
                .map(i -> i.reason().label() + " " + i.subject() + " (" + i.target() + ")").toList());
        assertTrue(items.get(0).message().startsWith(imapd + " holds a private key"), items.get(0).message());

        target.apply(desired).commit();
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(imapd)));
        assertEquals(List.of(), drift());
    }

    @Test
    void anEditedCertfileIsConfigEditedAndItsNewFileMissingUntilAnApplyFollowsIt() throws Exception {
        target.apply(List.of(server)).commit();
        assertEquals(List.of(), drift(target, List.of(server)));
        Path imapdSsl = dir.resolve("imapd-ssl");
        Path moved = dir.resolve("moved.pem");
        Files.writeString(imapdSsl, Files.readString(imapdSsl).replace("TLS_CERTFILE=" + dir + "/imapd.pem",
                "TLS_CERTFILE=" + moved));

        List<DriftItem> items = cycle.run(List.of(server), List.of(target), Set.of());

        assertEquals(List.of("FileMissing server", "ServedMismatch server", "ConfigEdited host"), items.stream()
                .map(i -> i.reason().label() + " " + i.subject()).distinct().toList());
        assertTrue(items.stream().anyMatch(i -> i.toString().equals("ConfigEdited host (courier): " + imapdSsl
                + " TLS_CERTFILE was changed")), items.toString());
        assertTrue(items.stream().anyMatch(i -> i.message().equals(moved + " is missing")), items.toString());

        target.apply(List.of(server)).commit();
        assertEquals(List.of(), drift(target, List.of(server)), "the apply wrote the moved file and follows it");
    }

    @Test
    void aRemovedCertfileIsConfigEditedAndItsPortServesNothing() throws Exception {
        Path pop3dSsl = dir.resolve("pop3d-ssl");
        Files.writeString(pop3dSsl, Files.readString(pop3dSsl).replaceAll("(?m)^TLS_CERTFILE=.*$", ""));

        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());

        assertEquals(List.of("ServedMismatch server", "ServedMismatch mail/example.com",
                "ServedMismatch mail/example.org", "ConfigEdited host"), items.stream()
                .map(i -> i.reason().label() + " " + i.subject()).distinct().toList());
        assertEquals(List.of("ConfigEdited host (courier): " + pop3dSsl + " TLS_CERTFILE was removed"), items.stream()
                .filter(i -> i.reason().label().equals("ConfigEdited")).map(DriftItem::toString).toList());
        assertTrue(items.stream().filter(i -> i.reason().label().equals("ServedMismatch"))
                .allMatch(i -> i.message().startsWith("pop3 127.0.0.1:110")), items.toString());
    }

    @Test
    void anEditedManifestIsConfigEdited() throws Exception {
        Path manifest = dir.resolve(".mailcert-manifest");
        Files.writeString(manifest, "# emptied by hand\n");

        assertEquals(List.of("ConfigEdited host (courier): " + manifest + " was changed"),
                cycle.run(desired, List.of(target), Set.of()).stream().map(DriftItem::toString).toList());
    }

    @Test
    void aTargetThatHasNotAppliedYetComparesNoSettingsButStillSeesTheFiles() throws Exception {
        target.apply(List.of(server)).commit();
        Path imapdSsl = dir.resolve("imapd-ssl");
        Files.writeString(imapdSsl, Files.readString(imapdSsl).replace("TLS_CERTFILE=" + dir + "/imapd.pem",
                "TLS_CERTFILE=" + dir.resolve("moved.pem")));

        List<String> items = drift(target(dir, withSni), List.of(server));

        assertFalse(items.contains("ConfigEdited host"), "no earlier apply of this process to compare with: " + items);
        assertTrue(items.contains("FileMissing server"), items.toString());
    }

    @Test
    void perDomainBindingsOnCouriertlsWithoutSniAreUnsupported() throws Exception {
        Path plainDir = dir.resolve("plain");
        FileTree.copyFixture("courier", plainDir);
        CourierTarget plain = target(plainDir, withoutSni);
        plain.apply(List.of(server)).commit();
        probed.clear();

        TargetObservation o = plain.observe(desired);
        List<DriftItem> items = cycle(plainDir).run(desired, List.of(plain), Set.of());

        assertFalse(o.perDomain());
        assertEquals(List.of(), o.files().get("mail/example.com"));
        assertEquals(List.of(), o.files().get("mail/example.org"));
        assertEquals(Map.of(), o.names());
        assertEquals(List.of("UnsupportedOnThisServer mail/example.com (courier)",
                "UnsupportedOnThisServer mail/example.org (courier)"), items.stream()
                .map(i -> i.reason().label() + " " + i.subject() + " (" + i.target() + ")").toList());
        assertTrue(probed.stream().allMatch(p -> p.endsWith(" none")), "no name is probed: " + probed);
    }

    @Test
    void aCouriertlsThatIgnoresSniServesTheServerWideCertificateForEveryName() throws Exception {
        sniBuilt = false;

        assertEquals(List.of("ServedMismatch mail/example.com", "NameMismatch mail/example.com",
                "ServedMismatch mail/example.org", "NameMismatch mail/example.org"), drift());
    }

    @Test
    void theConfigurationFilesAreWatched() {
        assertEquals(List.of(dir.resolve("imapd-ssl"), dir.resolve("pop3d-ssl"), dir.resolve("esmtpd"),
                dir.resolve("esmtpd-msa"), dir.resolve("esmtpd-ssl"), dir.resolve("imapd"), dir.resolve("pop3d")),
                target.watched());
    }
}
