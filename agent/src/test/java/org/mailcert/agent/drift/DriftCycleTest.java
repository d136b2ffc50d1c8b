package org.mailcert.agent.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.files.FilesTarget;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;

/** A whole cycle: targets observed, handshakes made and attributed, checks run. */
class DriftCycleTest {
    @TempDir
    Path dir;

    private static final Clock CLOCK = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    private static final Endpoint SMTPS = new Endpoint("smtps", "127.0.0.1", 465, Protocol.IMPLICIT);
    private final TestPki.Leaf serverLeaf = TestBindings.leaf("mx1.example.net");
    private final TestPki.Leaf mailLeaf = TestBindings.leaf("mail.example.com");
    private final Binding server = TestBindings.binding("server", "mx1.example.net", serverLeaf);
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", mailLeaf);

    private DriftCycle cycle(Map<String, TestPki.Leaf> servedBySni, TestPki.Leaf noSni) {
        ServedObserver observer = new ServedObserver((endpoint, sni) -> {
            TestPki.Leaf l = sni.map(servedBySni::get).orElse(noSni);
            if (l == null) {
                throw new ProbeException(endpoint + ": no certificate", null);
            }
            return new ProbeResult(l.certificate(), Fingerprints.sha256Hex(l.certificate()));
        }, 2, Duration.ofSeconds(10));
        return new DriftCycle(observer, 100, DriftPolicy.DEFAULT, Optional.empty(), CLOCK);
    }

    @Test
    void theFilesTargetsTamperedFilesAreDriftAndAnUntouchedTreeIsNone() throws Exception {
        FilesTarget files = new FilesTarget(dir, List.of(), new RecordingCommandRunner());
        files.apply(List.of(server, mail)).commit();
        DriftCycle c = cycle(Map.of(), null);
        assertEquals(List.of(), c.run(List.of(server, mail), List.of(files), Set.of()));

        Path live = dir.resolve("live");
        Files.delete(live.resolve("mail.example.com/privkey.pem"));
        Files.setPosixFilePermissions(live.resolve("mx1.example.net/privkey.pem"),
                PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(live.resolve("mx1.example.net/cert.pem"), "edited\n");
        List<DriftItem> items = c.run(List.of(server, mail), List.of(files), Set.of());
        assertEquals(List.of("FileChanged server (files): " + live.resolve("mx1.example.net/cert.pem"),
                "KeyPermissionsWrong server (files): " + live.resolve("mx1.example.net/privkey.pem"),
                "FileMissing mail/example.com (files): " + live.resolve("mail.example.com/privkey.pem") + " is missing"),
                items.stream().map(i -> i.reason().label() + " " + i.subject() + " (" + i.target() + "): "
                        + (i.reason() == Reason.FILE_MISSING ? i.message() : i.message().split(" ")[0])).toList());
    }

    @Test
    void handshakesAreAttributedToTheBindingOfTheirNameAndWithoutSniToTheServerBinding() throws Exception {
        TestPki.Leaf stale = TestBindings.leaf("mail.example.com");
        Observable postfixLike = new Observable() {
            @Override
            public String name() {
                return "postfix";
            }

            @Override
            public TargetObservation observe(List<Binding> desired) {
                return new TargetObservation("postfix", Map.of(), List.of(new Observed.Config("postfix",
                        "main.cf tls_server_sni_maps", "hash:/m/sni-1", Optional.of("hash:/m/sni-1"))), List.of(SMTPS),
                        Map.of("mail.example.com", "mail/example.com"), true);
            }
        };
        List<DriftItem> inSync = cycle(Map.of("mail.example.com", mailLeaf), serverLeaf)
                .run(List.of(server, mail), List.of(postfixLike), Set.of("example.com"));
        assertEquals(List.of(), inSync);

        List<DriftItem> items = cycle(Map.of("mail.example.com", stale), mailLeaf)
                .run(List.of(server, mail), List.of(postfixLike), Set.of("example.com"));
        assertEquals(List.of("ServedMismatch server", "ServedMismatch mail/example.com"),
                items.stream().map(i -> i.reason().label() + " " + i.subject()).toList(),
                "without SNI the mail certificate is served instead of the server's; for the name, a stale one");
        assertTrue(items.get(0).message().startsWith("smtps 127.0.0.1:465 without SNI serves sha256:"),
                items.get(0).message());
    }

    @Test
    void aTargetThatCannotBeObservedIsReportedAndTheOthersStillAre() throws Exception {
        Observable broken = new Observable() {
            @Override
            public String name() {
                return "dovecot";
            }

            @Override
            public TargetObservation observe(List<Binding> desired) throws TargetException {
                throw new TargetException("dovecot", "doveconf -n exited 89: Error in configuration file");
            }
        };
        FilesTarget files = new FilesTarget(dir, List.of(), new RecordingCommandRunner());
        files.apply(List.of(server)).commit();
        Files.delete(dir.resolve("live/mx1.example.net/chain.pem"));
        List<DriftItem> items = cycle(Map.of(), null).run(List.of(server), List.of(broken, files), Set.of());
        assertEquals(List.of("FileMissing", "ConfigEdited"), items.stream().map(i -> i.reason().label()).toList());
        assertTrue(items.get(1).message().startsWith("cannot observe: ")
                && items.get(1).message().contains("doveconf -n exited 89"), items.get(1).message());
    }
}
