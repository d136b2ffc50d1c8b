package org.mailcert.agent.identity;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.testing.AgentCli;
import org.mailcert.agent.testing.AgentCli.Run;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;

/** {@code mailcert-agent enroll} against a real TLS gRPC server on loopback. */
class EnrollIT {
    private static final String HOST = "mx1.example.com";

    @TempDir
    Path tmp;

    private final AgentPki pki = AgentPki.create();
    private final FakeEnroll service = new FakeEnroll();
    private Server server;
    private String controller;

    /** Issues a client certificate for the CSR, or fails as scripted; records every request. */
    private final class FakeEnroll extends AgentServiceGrpc.AgentServiceImplBase {
        final List<EnrollRequest> requests = new CopyOnWriteArrayList<>();
        volatile Status failWith;
        volatile String caPem = pki.caPem();

        @Override
        public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> responses) {
            requests.add(request);
            if (failWith != null) {
                responses.onError(failWith.asRuntimeException());
                return;
            }
            try {
                PublicKey key = Csrs.verifiedPublicKey(request.getCsr().toByteArray());
                X509Certificate cert = pki.client(key, HOST, Duration.ofDays(7));
                responses.onNext(EnrollResponse.newBuilder()
                        .setHost(HOST)
                        .setHostId("h-1")
                        .setCertificatePem(Pem.certificates(List.of(cert)))
                        .setCaPem(caPem)
                        .setNotAfter(Timestamp.newBuilder().setSeconds(cert.getNotAfter().toInstant().getEpochSecond()))
                        .build());
                responses.onCompleted();
            } catch (Exception e) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            }
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(
                new ByteArrayInputStream(pki.serverChainPem().getBytes(US_ASCII)),
                new ByteArrayInputStream(pki.serverKeyPem().getBytes(US_ASCII)));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), tls.build())
                .addService(service).build().start();
        controller = "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private Run enroll(Path dataDir, JoinTokenValue token, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("enroll", "--controller", controller, "--token",
                token.encode(), "--data-dir", dataDir.toString()));
        args.addAll(List.of(more));
        return AgentCli.run(args.toArray(new String[0]));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void enrollmentStoresTheIdentityWithPrivateModes() throws Exception {
        Path data = tmp.resolve("agent");

        Run run = enroll(data, pki.token());

        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("enrolled as " + HOST + " (host id h-1)"), run.out());
        assertEquals("rwx------", mode(data));
        assertEquals("rwx------", mode(data.resolve("identity")));
        assertEquals("rw-------", mode(data.resolve("identity/agent.key")));
        assertEquals("rw-------", mode(data.resolve("agent.yaml")));
        Identity identity = new IdentityStore(data).load();
        assertEquals(HOST, identity.host());
        assertEquals(controller, identity.settings().controller().toString());
        assertEquals(pki.caCertificate(), identity.ca());
        assertTrue(Keys.matches(identity.key(), identity.certificate()));
        assertEquals(1, service.requests.size());
        EnrollRequest sent = service.requests.get(0);
        assertEquals(pki.token().encode(), sent.getToken());
        assertTrue(Keys.matches(identity.key(), Csrs.verifiedPublicKey(sent.getCsr().toByteArray())),
                "the stored key is the one whose CSR was sent");
        assertFalse(sent.getFacts().getOs().isEmpty());
        String keyText = Files.readString(data.resolve("identity/agent.key"));
        assertFalse(run.out().contains(keyText.substring(30, 60)), "the key is never printed");
    }

    @Test
    void aServerThatFailsThePinNeverReceivesTheToken() throws Exception {
        TestPki other = TestPki.rootCa("some other CA");
        JoinTokenValue token = new JoinTokenValue("tok1", "s3cr3tpart",
                HexFormat.of().parseHex(Fingerprints.sha256Hex(other.root())));
        Path data = tmp.resolve("agent");

        Run run = enroll(data, token);

        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("mailcert-agent: the controller at " + controller
                + " is not the one the token was made for"), run.err());
        assertTrue(run.err().contains("the token was not sent"), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
        assertTrue(service.requests.isEmpty(), "the fake controller received no Enroll call");
        assertFalse(Files.exists(data.resolve("identity")));
    }

    @Test
    void aReturnedCaThatDiffersFromThePinIsRefused() throws Exception {
        service.caPem = Pem.certificates(List.of(TestPki.rootCa("impostor CA").root()));
        Path data = tmp.resolve("agent");

        Run run = enroll(data, pki.token());

        assertEquals(1, run.code());
        assertTrue(run.err().contains("is not the one the token pins"), run.err());
        assertFalse(Files.exists(data.resolve("identity/agent.key")));
        assertFalse(Files.exists(data.resolve("agent.yaml")));
    }

    @Test
    void anExistingIdentityIsReplacedOnlyWithForce() throws Exception {
        Path data = tmp.resolve("agent");
        assertEquals(0, enroll(data, pki.token()).code());
        byte[] key = Files.readAllBytes(data.resolve("identity/agent.key"));

        Run again = enroll(data, pki.token());

        assertEquals(1, again.code());
        assertTrue(again.err().contains("an identity already exists in " + data + " (host " + HOST
                + "); give --force to replace it"), again.err());
        assertArrayEquals(key, Files.readAllBytes(data.resolve("identity/agent.key")));
        assertEquals(1, service.requests.size(), "refused before contacting the controller");

        Run forced = enroll(data, pki.token(), "--force");

        assertEquals(0, forced.code(), forced.err());
        assertFalse(java.util.Arrays.equals(key, Files.readAllBytes(data.resolve("identity/agent.key"))));
        assertTrue(Keys.matches(MaterialReader.readPemKey(Files.readAllBytes(data.resolve("identity/agent.key")), null),
                new IdentityStore(data).load().certificate()));
    }

    @Test
    void aRefusedTokenSaysWhyAndWhatToDo() {
        service.failWith = Status.UNAUTHENTICATED.withDescription("join token tok1 was already used");

        Run run = enroll(tmp.resolve("agent"), pki.token());

        assertEquals(1, run.code());
        assertEquals("mailcert-agent: the controller at " + controller + " refused the join token (join token tok1"
                + " was already used); create a new one with `mailcert token create --host FQDN`", run.err().strip());
    }

    @Test
    void anUnreachableControllerIsOneClearLine() throws Exception {
        int port = server.getPort();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        Run run = AgentCli.run("enroll", "--controller", "localhost:" + port, "--token", pki.token().encode(),
                "--data-dir", tmp.resolve("agent").toString());

        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("mailcert-agent: cannot reach the controller at localhost:" + port), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertNotEquals(-1, run.err().indexOf("is mailcert-controller running there?"));
    }
}
