package org.mailcert.agent.target.courier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftItem;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.exec.CommonsExecRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.keychain.FileTree;
import org.mailcert.agent.target.keychain.KeyChainPem;
import org.mailcert.agent.target.keychain.SniSupport;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's real couriertls (package courier-base) serving IMAPS on a free loopback port, started as
 * the Courier start scripts do, in the foreground:
 *
 * <pre>
 * TLS_CERTFILE=$DIR/imapd.pem couriertcpd -address=127.0.0.1 -nodnslookup -noidentlookup \
 *     -stderr=$DIR/couriertcpd.log PORT /usr/bin/couriertls -server -tcpd /bin/cat
 * </pre>
 *
 * couriertcpd accepts each connection and runs couriertls on it, which reads {@code TLS_CERTFILE}
 * (or {@code $TLS_CERTFILE.<sni-name>}) for that one connection; {@code /bin/cat} stands in for
 * imapd. (A program that exits at once, such as {@code /bin/echo}, makes couriertls send
 * close_notify while Java's client is still in the handshake: "Received close_notify during
 * handshake". OpenSSL's s_client does not mind; {@code cat} waits for the client to close.) The target's own apply probes the port ({@code imaps} from {@code imapd-ssl}), and the test
 * probes again by hand.
 */
class CourierTlsIT {
    private static final Logger LOG = LoggerFactory.getLogger(CourierTlsIT.class);
    private static final Path COURIERTCPD = Path.of("/usr/sbin/couriertcpd");
    private static final Path COURIERTLS = CourierSettings.DEFAULT_COURIERTLS;
    private static final TestPki.Leaf OLD = TestPki.selfSigned("mx1.example.com").issue();
    private static final TestPki.Leaf SERVER = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf RENEWED = TestBindings.leaf("mx1.example.com", "mx.example.com");
    private static final TestPki.Leaf MAIL = TestBindings.leaf("mail.example.com", "example.com", "*.example.com");

    @TempDir
    Path dir;

    private Process courier;
    private int port;
    private final SocketTlsProbe probe = new SocketTlsProbe(Duration.ofSeconds(3), Duration.ofSeconds(5));

    @BeforeEach
    void start() throws Exception {
        for (Path program : List.of(COURIERTCPD, COURIERTLS)) {
            if (!Files.isExecutable(program)) {
                fail(program + " is missing: install Debian's courier-base package (apt-get install courier-base)");
            }
        }
        port = freePort();
        Path certfile = dir.resolve("imapd.pem");
        Files.writeString(dir.resolve("imapd-ssl"), "SSLPORT=" + port + "\nSSLADDRESS=127.0.0.1\nIMAPDSSLSTART=YES\n"
                + "TLS_CERTFILE=" + certfile + "\n");
        Files.writeString(certfile, Pem.privateKeyWithPublicKey(OLD.key()) + OLD.chainPem());
        FileTree.own(certfile, "root", "mail", "rw-r-----");
        ProcessBuilder pb = new ProcessBuilder(COURIERTCPD.toString(), "-address=127.0.0.1", "-nodnslookup",
                "-noidentlookup", "-stderr=" + dir.resolve("couriertcpd.log"), Integer.toString(port),
                COURIERTLS.toString(), "-server", "-tcpd", "/bin/cat");
        pb.environment().put("TLS_CERTFILE", certfile.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("couriertcpd.out").toFile());
        courier = pb.start();
        awaitListening();
    }

    @AfterEach
    void stop() throws Exception {
        if (courier == null) {
            return;
        }
        // Let the last couriertls children end first: once couriertcpd is gone, nobody reaps them.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (courier.descendants().findAny().isPresent() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        courier.destroy();
        if (!courier.waitFor(5, TimeUnit.SECONDS)) {
            courier.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        assertFalse(courier.isAlive(), "couriertcpd still running");
        for (String log : List.of("couriertcpd.log", "couriertcpd.out")) {
            Path f = dir.resolve(log);
            if (Files.exists(f) && Files.size(f) > 0) {
                LOG.info("{}: {}", log, Files.readString(f, StandardCharsets.UTF_8).strip());
            }
        }
    }

    private CourierTarget target() {
        return new CourierTarget(new CourierSettings(dir, SniSupport.DETECT, COURIERTLS, "127.0.0.1",
                Duration.ofSeconds(10)), new CommonsExecRunner(), probe);
    }

    private Endpoint imaps() {
        return new Endpoint("imaps", "127.0.0.1", port, Protocol.IMPLICIT);
    }

    private String served(Optional<String> sni) throws Exception {
        return probe.probe(imaps(), sni).leafSha256();
    }

    @Test
    void serverWideFileIsServedWithoutSniAndPerNameFilesForTheirNames(TestReporter reporter) throws Exception {
        TargetFacts facts = target().inspect();
        assertTrue(facts.perDomainSni(), "Debian's couriertls is detected as SNI-capable: " + facts);
        assertEquals(List.of(imaps()), facts.endpoints());
        assertEquals(TestBindings.sha(OLD), served(Optional.empty()), "the old certificate before apply");

        Binding server = TestBindings.binding("server", "mx1.example.com", SERVER);
        Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", MAIL);
        long t0 = System.nanoTime();
        Target.Change change = target().apply(List.of(server, mail));
        long applyMillis = (System.nanoTime() - t0) / 1_000_000;
        change.commit();

        assertEquals(Outcome.INSTALLED, change.report().bindings().get("mail/example.com"));
        assertEquals(TestBindings.sha(SERVER), served(Optional.empty()));
        assertEquals(TestBindings.sha(MAIL), served(Optional.of("mail.example.com")));
        assertEquals(TestBindings.sha(MAIL), served(Optional.of("example.com")));
        assertEquals(TestBindings.sha(MAIL), served(Optional.of("imap.example.com")),
                "couriertls falls back from imap.example.com to the parent domain's file imapd.pem.example.com");
        assertEquals(TestBindings.sha(SERVER), served(Optional.of("imap.example.net")),
                "a name without a file of its own or of a parent domain gets the server-wide file");
        assertEquals(TestBindings.sha(SERVER), served(Optional.of("mx1.example.com")));
        assertEquals("root:mail rw-r-----", ownership("imapd.pem"));
        assertEquals("root:mail rw-r-----", ownership("imapd.pem.mail.example.com"));
        figure(reporter, "apply, 4 files written and 4 names probed, ms", applyMillis);
    }

    @Test
    void aReplacedFileIsServedOnTheNextConnectionAndRemovedNamesFallBack(TestReporter reporter) throws Exception {
        Binding server = TestBindings.binding("server", "mx1.example.com", SERVER);
        Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", MAIL);
        target().apply(List.of(server, mail)).commit();
        assertEquals(TestBindings.sha(SERVER), served(Optional.empty()));

        Binding renewed = TestBindings.binding("server", "mx1.example.com", RENEWED);
        Target.Change change = target().apply(List.of(renewed));
        long t0 = System.nanoTime();
        String next = served(Optional.empty());
        long handshakeMillis = (System.nanoTime() - t0) / 1_000_000;
        change.commit();

        assertEquals(TestBindings.sha(RENEWED), next, "no reload: the next connection reads the new file");
        assertEquals(List.of("example.com", "mail.example.com", "mx1.example.com"), change.report().removed());
        assertFalse(Files.exists(dir.resolve("imapd.pem.mail.example.com")));
        assertEquals(TestBindings.sha(RENEWED), served(Optional.of("mail.example.com")),
                "a removed name falls back to the server-wide file");
        KeyChainPem.verify(dir.resolve("imapd.pem"), TestBindings.sha(RENEWED));
        figure(reporter, "first handshake after the change, ms", handshakeMillis);
    }

    @Test
    void rollbackIsServedOnTheNextConnection() throws Exception {
        Target.Change change = target().apply(List.of(TestBindings.binding("server", "mx1.example.com", SERVER)));
        assertEquals(TestBindings.sha(SERVER), served(Optional.empty()));

        change.rollback();

        assertEquals(TestBindings.sha(OLD), served(Optional.empty()));
    }

    @Test
    void aDriftCycleSeesWhatCouriertlsServesByRealHandshakesAndAnApplyRepairsIt() throws Exception {
        CourierTarget t = target();
        List<Binding> desired = List.of(TestBindings.binding("server", "mx1.example.com", SERVER),
                TestBindings.binding("mail/example.com", "mail.example.com", MAIL));
        t.apply(desired).commit();
        DriftCycle cycle = new DriftCycle(new ServedObserver(probe, 2, Duration.ofSeconds(20)), 100,
                DriftPolicy.DEFAULT, Optional.empty(), Clock.systemUTC());
        DriftCycle.Result clean = cycle.cycle(desired, List.of(t), Set.of());
        assertEquals(List.of(), clean.items());
        assertEquals(4, clean.probes(), "without SNI, mail.example.com, example.com and mx1.example.com");

        TestPki.Leaf other = TestBindings.leaf("mail.example.com");
        Files.writeString(dir.resolve("imapd.pem.mail.example.com"), Pem.privateKeyWithPublicKey(other.key())
                + other.chainPem());
        List<DriftItem> items = cycle.run(desired, List.of(t), Set.of());

        assertEquals(List.of("FileChanged mail/example.com", "ServedMismatch mail/example.com"), items.stream()
                .map(i -> i.reason().label() + " " + i.subject()).toList());
        assertTrue(items.get(1).message().startsWith("imaps 127.0.0.1:" + port + " for mail.example.com serves sha256:"
                + TestBindings.sha(other).substring(0, 16)), items.get(1).message());

        t.apply(desired).commit();
        assertEquals(List.of(), cycle.run(desired, List.of(t), Set.of()), "enforce: the apply put the file back");
    }

    /** A measured figure: in the JUnit report and on stdout (Failsafe keeps it in the XML report). */
    private static void figure(TestReporter reporter, String what, long value) {
        reporter.publishEntry(what, Long.toString(value));
        System.out.println("CourierTlsIT figure: " + what + " = " + value);
    }

    private String ownership(String file) throws IOException {
        return FileTree.describe(dir).lines().filter(l -> l.startsWith(file + "  ")).findFirst().orElseThrow()
                .split("  ")[1];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitListening() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (!courier.isAlive()) {
                fail("couriertcpd exited " + courier.exitValue() + ": "
                        + Files.readString(dir.resolve("couriertcpd.out"), StandardCharsets.UTF_8));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        fail("couriertcpd did not listen on 127.0.0.1:" + port + " within 10 s");
    }
}
