package org.mailcert.agent.target.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
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
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.TestPki;

/** The Postfix target observed by a drift cycle, against the fake Postfix: tampering of each kind. */
class PostfixDriftTest {
    @TempDir
    Path dir;

    private final FakePostfix postfix = new FakePostfix();
    private final TestPki.Leaf serverLeaf = TestBindings.leaf("mx.example.org");
    private final TestPki.Leaf aLeaf = TestBindings.leaf("mail.a.example.com");
    private final TestPki.Leaf netLeaf = TestBindings.leaf("*.example.net", "example.net");
    private final Binding server = TestBindings.binding("server", "mx.example.org", serverLeaf);
    private final Binding a = TestBindings.binding("mail/a.example.com", "mail.a.example.com", aLeaf);
    private final Binding net = TestBindings.binding("mail/example.net", "mail.example.net", netLeaf);
    private final List<Binding> desired = List.of(server, a, net);
    private PostfixTarget target;
    private DriftCycle cycle;

    @BeforeEach
    void applied() throws Exception {
        Path config = Files.createDirectories(dir.resolve("etc-postfix"));
        Files.writeString(config.resolve("main.cf"), "");
        target = new PostfixTarget(new PostfixSettings(config, dir.resolve("agent/postfix"), "127.0.0.1",
                Duration.ofMillis(300), Duration.ofSeconds(5)), postfix, postfix);
        target.apply(desired).commit();
        cycle = new DriftCycle(new ServedObserver(postfix, 2, Duration.ofSeconds(10)), 100, DriftPolicy.DEFAULT,
                Optional.empty(), Clock.systemUTC());
    }

    private List<String> drift() throws Exception {
        return cycle.run(desired, List.of(target), Set.of()).stream()
                .map(i -> i.reason().label() + " " + i.subject()).distinct().toList();
    }

    private Path file(Binding b, String suffix) {
        return dir.resolve("agent/postfix").resolve(b.leafSha256().substring(0, 16) + suffix);
    }

    @Test
    void anAppliedStateHasNoDriftAndEveryNameIsProbed() throws Exception {
        int before = postfix.probes();
        assertEquals(List.of(), drift());
        assertTrue(postfix.probes() - before >= 3, "no SNI, mail.a.example.com and a name under *.example.net");
    }

    @Test
    void aDeletedKeyAndAReadableKeyChainAreFileDrift() throws Exception {
        Files.delete(file(a, ".key.pem"));
        Files.setPosixFilePermissions(file(server, ".keychain.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of("KeyPermissionsWrong server", "FileMissing mail/a.example.com"), drift());
    }

    @Test
    void anEditedMapOrParameterIsConfigEditedAndAnotherServedCertificateIsServedMismatch() throws Exception {
        String maps = postfix.mainCf.get(PostfixTarget.SNI_MAPS);
        Path source = Path.of(maps.substring(maps.indexOf(':') + 1));
        Files.writeString(source, Files.readString(source) + "mail.evil.example /tmp/k /tmp/c\n");
        assertEquals(List.of("ConfigEdited host"), drift());

        TestPki.Leaf other = TestBindings.leaf("mx.example.org");
        Path otherFile = Files.writeString(dir.resolve("other.pem"), other.keyPem() + other.chainPem());
        postfix.mainCf.put(PostfixTarget.CHAIN_FILES, otherFile.toString());
        Map<String, String> loaded = new HashMap<>(postfix.loaded);
        loaded.put(PostfixTarget.CHAIN_FILES, otherFile.toString());
        postfix.loaded = Map.copyOf(loaded);
        List<String> items = drift();
        assertTrue(items.contains("ConfigEdited host"), items.toString());
        assertTrue(items.contains("ServedMismatch server"), "clients without SNI get the other certificate: " + items);
    }

    @Test
    void theItemsSayWhatAndWhere() throws Exception {
        // Postfix serves the no-SNI default from the key-and-chain file; this one it does not read.
        Files.delete(file(server, ".fullchain.pem"));
        List<DriftItem> items = cycle.run(desired, List.of(target), Set.of());
        assertEquals(1, items.size(), items.toString());
        assertEquals("FileMissing server (postfix): " + file(server, ".fullchain.pem") + " is missing",
                items.get(0).toString());
    }
}
