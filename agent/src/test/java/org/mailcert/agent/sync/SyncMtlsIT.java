package org.mailcert.agent.sync;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.StateStore;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.agent.target.TargetSet;
import org.mailcert.agent.target.files.FilesTarget;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.agent.transport.GrpcControllerLink;
import org.mailcert.agent.transport.TlsChannels;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.RenewResponse;

/**
 * The agent against a fake controller over real mutual TLS on loopback: the server presents [server
 * certificate, CA] and requires a client certificate from that CA, with the controller's keepalive
 * permit; and the built agent jar as a real process, stopped with SIGTERM.
 */
class SyncMtlsIT {
    private static final String HOST = "mx1.example.com";

    @TempDir
    Path tmp;

    private final FakeController controller = new FakeController();
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private Server server;
    private SyncClient client;
    private Future<SyncResult> running;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.stop();
            running.get(10, TimeUnit.SECONDS);
        }
        loop.shutdownNow();
        timer.shutdownNow();
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Puts the verified client certificate into the call's context. */
    private static final ServerInterceptor PEER = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            X509Certificate peer = null;
            try {
                peer = (X509Certificate) session.getPeerCertificates()[0];
            } catch (Exception e) {
                // no client certificate: the handshake would have failed already
            }
            return Contexts.interceptCall(Context.current().withValue(FakeController.PEER, peer), call, headers,
                    next);
        }
    };

    private ControllerAddress startServer(AgentPki pki) throws Exception {
        io.grpc.ServerCredentials tls = TlsServerCredentials.newBuilder()
                .keyManager(new ByteArrayInputStream(pki.serverChainPem().getBytes(US_ASCII)),
                        new ByteArrayInputStream(pki.serverKeyPem().getBytes(US_ASCII)))
                .trustManager(new ByteArrayInputStream(pki.caPem().getBytes(US_ASCII)))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), tls)
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(ServerInterceptors.intercept(controller, PEER))
                .build().start();
        return new ControllerAddress("localhost", server.getPort());
    }

    private void startClient(Path data, Path files) {
        client = new SyncClient(new SyncSettings(Duration.ZERO, HostFacts.getDefaultInstance()),
                new IdentityStore(data), new StateStore(data), new StatusStore(data),
                new TargetSet(List.of(new FilesTarget(files, List.of(), new RecordingCommandRunner()))),
                new GrpcControllerLink(TlsChannels.sync()), new SystemScheduler(timer), Clock.systemUTC(),
                Math::random);
        running = loop.submit(client::run);
    }

    private static DesiredState fullState(long version, TestPki.Leaf leaf) {
        return DesiredState.newBuilder().setVersion(version).setNonce("n" + version).setFull(true).setLast(true)
                .addUpserted(TestBindings.desired("server", HOST, leaf))
                .addMaterials(TestBindings.material(leaf)).build();
    }

    @Test
    void theStreamIsAuthenticatedByTheAgentsClientCertificate() throws Exception {
        AgentPki pki = AgentPki.create();
        ControllerAddress address = startServer(pki);
        Path data = tmp.resolve("agent");
        Identity identity = pki.enroll(data, HOST, address);
        startClient(data, tmp.resolve("files"));

        FakeController.FakeStream s = controller.nextStream();
        assertEquals(HOST, s.hello().getHost());
        assertEquals(identity.certificate(), s.peer, "the controller sees the agent's client certificate");
        assertTrue(CertificateFacts.of(s.peer).commonName().equals(HOST));

        TestPki.Leaf leaf = TestBindings.leaf(HOST);
        s.send(fullState(1, leaf));

        assertEquals(AgentMessage.KindCase.ACK, s.next().getKindCase());
        assertEquals(leaf.keyPem(), Files.readString(tmp.resolve("files/live/" + HOST + "/privkey.pem")));
    }

    @Test
    void aRenewedCertificateIsUsedForTheNextStreamAndThenPromoted() throws Exception {
        AgentPki pki = AgentPki.create(Clock.offset(Clock.systemUTC(), Duration.ofDays(-4)));
        ControllerAddress address = startServer(pki);
        Path data = tmp.resolve("agent");
        Identity old = pki.enroll(data, HOST, address, Duration.ofDays(7));
        startClient(data, tmp.resolve("files"));

        FakeController.FakeStream first = controller.nextStream();
        first.hello();
        first.send(fullState(1, TestBindings.leaf(HOST)));
        AgentMessage one = first.next();
        AgentMessage two = first.next();
        AgentMessage renew = one.hasRenew() ? one : two;
        assertTrue(renew.hasRenew(), "past half its life: renews at once");
        assertTrue((one.hasRenew() ? two : one).hasAck());
        PublicKey key = Csrs.verifiedPublicKey(renew.getRenew().getCsr().toByteArray());
        X509Certificate renewed = pki.authority(Clock.systemUTC()).issueClient(key, HOST,
                List.of(java.net.URI.create("mailcert://host/" + HOST)), Duration.ofDays(7));
        first.send(ControllerMessage.newBuilder().setRenewed(RenewResponse.newBuilder()
                .setCertificatePem(Pem.certificates(List.of(renewed)))).build());

        FakeController.FakeStream second = controller.nextStream();
        second.hello();
        assertEquals(renewed, second.peer, "the new stream presents the renewed certificate");
        assertEquals(old.certificate(), new IdentityStore(data).load().certificate());
        second.send(DesiredState.newBuilder().setVersion(1).setNonce("n1").setLast(true).build());
        assertEquals(AgentMessage.KindCase.ACK, second.next().getKindCase());
        assertEquals(renewed, new IdentityStore(data).load().certificate());
        assertFalse(Files.exists(data.resolve("identity/next.pem")));
    }

    @Test
    void theAgentProcessSyncsAndStopsOnSigterm() throws Exception {
        Path jar = Path.of("target", "mailcert-agent.jar").toAbsolutePath();
        assertTrue(Files.exists(jar), "the agent jar is built before the integration tests: " + jar);
        AgentPki pki = AgentPki.create();
        ControllerAddress address = startServer(pki);
        Path data = tmp.resolve("agent");
        Path files = tmp.resolve("files");
        pki.enroll(data, HOST, address);
        Path log = tmp.resolve("agent.log");
        Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "org.mailcert.agent.cli.AgentMain", "run", "--data-dir", data.toString(),
                "--files-dir", files.toString(), "--start-delay", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            FakeController.FakeStream s = controller.nextStream();
            assertEquals(HOST, s.hello().getHost());
            TestPki.Leaf leaf = TestBindings.leaf(HOST);
            s.send(fullState(3, leaf));
            assertEquals(AgentMessage.KindCase.ACK, s.nextIgnoringReports().getKindCase());
            assertEquals(leaf.chainPem(), Files.readString(files.resolve("live/" + HOST + "/fullchain.pem")));

            agent.destroy();
            assertTrue(agent.waitFor(20, TimeUnit.SECONDS), "the agent stops on SIGTERM");
        } finally {
            agent.destroyForcibly();
        }
        int code = agent.exitValue();
        assertTrue(code == 0 || code == 143, "exit " + code);
        String output = Files.readString(log);
        assertTrue(output.contains("host " + HOST + ": applied version 3"), output);
        assertTrue(output.contains("host " + HOST + ": mailcert-agent stopped"), output);
        assertFalse(output.contains("PRIVATE KEY"), "keys never logged");
        String status = Files.readString(data.resolve("state/status.json"));
        assertTrue(status.contains("\"applied_version\": 3"), status);
        assertTrue(status.contains("\"connection\": \"disconnected\""), status);
    }
}
