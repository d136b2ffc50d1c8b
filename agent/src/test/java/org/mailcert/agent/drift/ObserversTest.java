package org.mailcert.agent.drift;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;

/** What the drift cycle reads from disk and from live handshakes. */
class ObserversTest {
    @TempDir
    Path dir;

    private static final byte[] KEY = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n".getBytes(US_ASCII);

    private Path write(String name, byte[] content, String mode) throws Exception {
        Path p = Files.write(dir.resolve(name), content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void aFileAsInstalledIsFoundWithItsHashAndOwnerOnly() throws Exception {
        Observed.File f = FileObserver.observe(write("k.pem", KEY, "rw-------"), true, KEY);
        assertEquals(Optional.of(new Observed.Found(Fingerprints.sha256Hex(KEY), true)), f.found());
        assertEquals(Fingerprints.sha256Hex(KEY), f.expectedSha256());
        assertEquals(List.of(), checks(f));
    }

    @Test
    void missingChangedReadableAndLinkedFilesAreEachDrift() throws Exception {
        assertEquals(List.of(Reason.FILE_MISSING), checks(FileObserver.observe(dir.resolve("gone.pem"), true, KEY)));
        assertEquals(List.of(Reason.FILE_CHANGED),
                checks(FileObserver.observe(write("c.pem", "other".getBytes(US_ASCII), "rw-------"), true, KEY)));
        assertEquals(List.of(Reason.KEY_PERMISSIONS_WRONG),
                checks(FileObserver.observe(write("open.pem", KEY, "rw-r--r--"), true, KEY)));
        Path target = write("real.pem", KEY, "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link.pem"), target);
        Observed.File linked = FileObserver.observe(link, true, KEY);
        assertFalse(linked.found().orElseThrow().ownerOnly(), "a link the agent did not write is never owner-only");
        assertEquals(List.of(Reason.KEY_PERMISSIONS_WRONG), checks(linked));
    }

    private static List<Reason> checks(Observed.File f) {
        List<DriftItem> out = new ArrayList<>();
        Observed.OfBinding o = new Observed.OfBinding(TestBindings.binding("server", "mx.example.com",
                LEAF), "files", List.of(f), List.of());
        DriftChecks.BINDING_CHECKS.forEach(c -> c.check().check(o, null, out));
        return out.stream().map(DriftItem::reason).toList();
    }

    private static final TestPki.Leaf LEAF = TestBindings.leaf("mx.example.com");
    private static final Endpoint A = new Endpoint("imaps", "127.0.0.1", 993, Protocol.IMPLICIT);
    private static final Endpoint B = new Endpoint("smtps", "127.0.0.1", 465, Protocol.IMPLICIT);

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aHangingOrFailingHandshakeIsObservedAsServingNothingWithoutHangingTheCycle() throws Exception {
        TlsProbe probe = (endpoint, sni) -> {
            if (endpoint.port() == 465) {
                if (sni.isPresent()) {
                    throw new ProbeException(endpoint + ": connection refused", null);
                }
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new ProbeException("interrupted", null);
            }
            return new ProbeResult(LEAF.certificate(), Fingerprints.sha256Hex(LEAF.certificate()));
        };
        List<Observed.Served> served = new ServedObserver(probe, 2, Duration.ofMillis(500)).observe(List.of(
                new ServedObserver.Ask(A, Optional.of("mx.example.com")), new ServedObserver.Ask(B, Optional.empty()),
                new ServedObserver.Ask(B, Optional.of("mx.example.com"))));
        assertEquals(3, served.size());
        assertEquals(Optional.of(LEAF.certificate()), served.get(0).leaf());
        assertEquals("", served.get(0).error());
        assertTrue(served.get(1).leaf().isEmpty());
        assertTrue(served.get(1).error().startsWith("no answer within the drift cycle"), served.get(1).error());
        assertTrue(served.get(2).error().contains("connection refused"), served.get(2).error());
    }

    @Test
    void noMoreHandshakesRunAtOnceThanAllowed() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        TlsProbe probe = (endpoint, sni) -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return new ProbeResult(LEAF.certificate(), Fingerprints.sha256Hex(LEAF.certificate()));
        };
        List<ServedObserver.Ask> asks = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            asks.add(new ServedObserver.Ask(A, Optional.of("d" + i + ".example")));
        }
        List<Observed.Served> served = new ServedObserver(probe, 3, Duration.ofSeconds(30)).observe(asks);
        assertEquals(24, served.size());
        assertEquals("d23.example", served.get(23).sni().orElseThrow(), "in the order asked");
        assertTrue(most.get() <= 3 && most.get() >= 2, "at most 3 at once, and some in parallel: " + most.get());
    }
}
