package org.mailcert.agent.target.qmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftItem;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.drift.TargetObservation;
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

/** The qmail target observed by a drift cycle, against a fake qmail that serves its files: tampering of each kind. */
class QmailDriftTest {
    private static final TestPki.Leaf SERVER_LEAF = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf MAIL_LEAF = TestBindings.leaf("mail.example.com", "example.com", "*.example.com");
    private static final TestPki.Leaf ORG_LEAF = TestBindings.leaf("mail.example.org");

    @TempDir
    Path root;

    private Path control;
    private final Binding server = TestBindings.binding("server", "mx1.example.com", SERVER_LEAF);
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", MAIL_LEAF);
    private final Binding org = TestBindings.binding("mail/example.org", "mail.example.org", ORG_LEAF);
    private final List<Binding> desired = List.of(server, mail, org);
    /** Handshakes the fake qmail answered, "sni-or-none"; probes run in parallel. */
    private final List<String> probed = Collections.synchronizedList(new ArrayList<>());
    /** Whether the fake qmail-smtpd has sagredo's SNI patch, so reads {@code servercerts/<name>/}. */
    private volatile boolean sniPatch = true;
    private QmailTarget target;
    private DriftCycle cycle;

    @BeforeEach
    void applied() throws Exception {
        FileTree.copyFixture("qmail", root);
        control = root.resolve("control");
        Files.createDirectory(control.resolve("servercerts"));
        FileTree.own(control.resolve("servercerts"), "root", "mail", "rwxr-x---");
        Files.writeString(control.resolve("servercert.pem"), "old\n");
        FileTree.own(control.resolve("servercert.pem"), "mail", "mail", "rw-r-----");
        target = target(SniSupport.DETECT);
        target.apply(desired).commit();
        cycle = new DriftCycle(new ServedObserver(fakeQmail(), 2, Duration.ofSeconds(10)), 100, DriftPolicy.DEFAULT,
                Optional.empty(), Clock.systemUTC());
        probed.clear();
    }

    private QmailTarget target(SniSupport sni) {
        return new QmailTarget(new QmailSettings(root, sni, "127.0.0.1", Map.of("smtp", 2525, "smtps", 4465),
                Duration.ofMillis(300)), fakeQmail());
    }

    /** Serves {@code servercerts/<sni>/servercert.pem} with the patch and when it exists, else servercert.pem. */
    private TlsProbe fakeQmail() {
        return (endpoint, sni) -> {
            probed.add(sni.orElse("none"));
            Path file = sni.filter(n -> sniPatch).map(n -> control.resolve("servercerts").resolve(n)
                    .resolve("servercert.pem")).filter(Files::isRegularFile).orElse(control.resolve("servercert.pem"));
            try {
                var leaf = MaterialReader.readPem(Files.readAllBytes(file), null).chain().get(0);
                return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
            } catch (Exception e) {
                throw new ProbeException(endpoint + ": " + e.getMessage(), e);
            }
        };
    }

    private List<String> drift() throws Exception {
        return drift(desired);
    }

    private List<String> drift(List<Binding> bindings) throws Exception {
        return cycle.run(bindings, List.of(target), Set.of()).stream()
                .map(i -> i.reason().label() + " " + i.subject()).distinct().toList();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path nameFile(String name) {
        return control.resolve("servercerts").resolve(name).resolve("servercert.pem");
    }

    @Test
    void anAppliedStateHasNoDriftAndEveryNameIsProbedOnEveryPort() throws Exception {
        String before = FileTree.describe(control);

        assertEquals(List.of(), drift());

        assertEquals(List.of("example.com", "example.com", "mail.example.com", "mail.example.com", "mail.example.org",
                "mail.example.org", "none", "none"), probed.stream().sorted().toList());
        assertEquals(before, FileTree.describe(control), "observing changes nothing");
    }

    @Test
    void observingReadsTheFilesAnApplyWritesAndMakesNoHandshakes() throws Exception {
        String before = FileTree.describe(control);

        TargetObservation o = target.observe(desired);

        assertEquals(List.of(), probed);
        assertEquals(before, FileTree.describe(control));
        assertTrue(o.perDomain());
        assertEquals(List.of(control.resolve("servercert.pem")), o.files().get("server").stream()
                .map(Observed.File::path).toList());
        assertEquals(new TreeSet<>(List.of(nameFile("mail.example.com"), nameFile("example.com"))),
                new TreeSet<>(o.files().get("mail/example.com").stream().map(Observed.File::path).toList()));
        assertTrue(o.files().values().stream().flatMap(List::stream).allMatch(f -> f.secret()
                && f.found().isPresent() && f.found().get().ownerOnly()
                && f.found().get().sha256().equals(f.expectedSha256())), "mail:mail rw-r----- is as it should be");
        assertEquals(Map.of("example.com", "mail/example.com", "mail.example.com", "mail/example.com",
                "mail.example.org", "mail/example.org"), o.names());
        assertEquals(List.of("smtp 127.0.0.1:2525", "smtps 127.0.0.1:4465"), o.endpoints().stream()
                .map(Object::toString).toList());
        assertEquals(List.of(control.resolve("servercerts/.mailcert-manifest").toString(),
                control.resolve("servercerts") + "/ (sagredo's SNI layout)"), o.configs().stream()
                .map(Observed.Config::item).toList());
        assertTrue(o.configs().stream().allMatch(c -> c.found().equals(Optional.of(c.expected()))), o.configs()
                .toString());
    }

    @Test
    void aDeletedPerNameFileIsMissingAndQmailServesTheServerWideCertificateForThatName() throws Exception {
        Files.delete(nameFile("mail.example.org"));

        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());

        assertEquals(List.of("FileMissing mail/example.org", "ServedMismatch mail/example.org",
                "NameMismatch mail/example.org"), items.stream().map(i -> i.reason().label() + " " + i.subject())
                .distinct().toList());
        assertEquals("FileMissing mail/example.org (qmail): " + nameFile("mail.example.org") + " is missing",
                items.get(0).toString());
    }

    @Test
    void anotherCertificateInServercertIsFileChangedAndServedMismatch() throws Exception {
        TestPki.Leaf other = TestBindings.leaf("mx1.example.com");
        Files.writeString(control.resolve("servercert.pem"), other.keyPem() + other.chainPem());

        assertEquals(List.of("FileChanged server", "ServedMismatch server"), drift());
    }

    @Test
    void aKeyOthersCanReadIsKeyPermissionsWrongAndAnApplyTakesTheirAccessAway() throws Exception {
        Files.setPosixFilePermissions(nameFile("example.com"), PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals(List.of("KeyPermissionsWrong mail/example.com"), drift());

        target.apply(desired).commit();
        assertEquals("rw-r-----",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(nameFile("example.com"))));
        assertEquals(List.of(), drift());
    }

    @Test
    void anEditedOrRemovedManifestIsConfigEdited() throws Exception {
        Path manifest = control.resolve("servercerts/.mailcert-manifest");
        Files.writeString(manifest, Files.readString(manifest) + "smtp.example.net\n");

        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());
        assertEquals(List.of("ConfigEdited host (qmail): " + manifest + " was changed"),
                items.stream().map(DriftItem::toString).toList());

        Files.delete(manifest);
        assertEquals(List.of("ConfigEdited host (qmail): " + manifest + " was removed"),
                cycle.run(desired, List.of(target), Set.of()).stream().map(DriftItem::toString).toList());
    }

    @Test
    void aRemovedSniLayoutIsConfigEditedAndItsBindingsUnsupported() throws Exception {
        deleteTree(control.resolve("servercerts"));

        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());

        assertEquals(List.of("ConfigEdited host", "UnsupportedOnThisServer mail/example.com",
                "UnsupportedOnThisServer mail/example.org"), items.stream()
                .map(i -> i.reason().label() + " " + i.subject()).toList());
        assertEquals(control.resolve("servercerts") + "/ (sagredo's SNI layout) was removed", items.get(0).message());
    }

    @Test
    void perDomainBindingsOnQmailWithoutTheSniLayoutAreUnsupported() throws Exception {
        deleteTree(control.resolve("servercerts"));
        QmailTarget plain = target(SniSupport.DETECT);
        plain.apply(List.of(server)).commit();

        TargetObservation o = plain.observe(desired);
        List<String> items = cycle.run(desired, List.of(plain), Set.of()).stream()
                .map(i -> i.reason().label() + " " + i.subject() + " (" + i.target() + ")").toList();

        assertFalse(o.perDomain());
        assertEquals(List.of(), o.files().get("mail/example.com"));
        assertEquals(Map.of(), o.names());
        assertEquals(List.of("UnsupportedOnThisServer mail/example.com (qmail)",
                "UnsupportedOnThisServer mail/example.org (qmail)"), items);
        assertFalse(probed.stream().anyMatch(p -> !p.equals("none")), "no name is probed: " + probed);
    }

    @Test
    void aQmailWithoutTheSniPatchServesServercertForEveryNameAndThatIsServedMismatch() throws Exception {
        sniPatch = false;

        assertEquals(List.of("ServedMismatch mail/example.com", "NameMismatch mail/example.com",
                "ServedMismatch mail/example.org", "NameMismatch mail/example.org"), drift());
    }

    @Test
    void theControlDirectoryAndTheSniLayoutAreWatched() {
        assertEquals(List.of(control, control.resolve("servercerts")), target.watched());
    }
}
