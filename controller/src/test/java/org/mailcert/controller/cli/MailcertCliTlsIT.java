package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.proto.v1.ListHostsResponse;

/**
 * The real transport: {@link ChannelFactory#tls()} against a TLS gRPC server on loopback whose
 * certificate the JDK's keytool made. Proves the CA file is used, the bearer token travels, and
 * TLS and connection failures read as one clear line.
 */
class MailcertCliTlsIT {
    private static final String STOREPASS = "changeit";

    @TempDir
    static Path keys;

    static Path serverCa;
    static Path otherCa;
    static Server server;
    static final FakeAdminService SERVICE = new FakeAdminService();
    static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();

    /** The test JVM has logback's default configuration; Netty's DEBUG lines would flood the build log. */
    static final ch.qos.logback.classic.Logger NETTY =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.grpc.netty.shaded");

    @BeforeAll
    static void startTlsServer() throws Exception {
        NETTY.setLevel(ch.qos.logback.classic.Level.WARN);
        // keytool starts a JVM (seconds), so only the server key is made; any JDK root serves as a wrong CA.
        Path keystore = keys.resolve("server.p12");
        await(keytool("-genkeypair", "-alias", "controller", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STOREPASS));
        KeyStore store = load(keystore);
        serverCa = writePem(store.getCertificate("controller"), keys.resolve("ca.pem"));
        otherCa = writePem(someJdkRoot(), keys.resolve("other.pem"));

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, STOREPASS.toCharArray());

        SERVICE.reply("ListHosts", ListHostsResponse.newBuilder().addHosts(Fixtures.mx1()).build());
        ServerInterceptor recordAuthorization = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                AUTHORIZATIONS.add(String.valueOf(headers.get(BearerToken.AUTHORIZATION)));
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TlsServerCredentials.newBuilder().keyManager(kmf.getKeyManagers()).build())
                .addService(ServerInterceptors.intercept(SERVICE, recordAuthorization))
                .build()
                .start();
    }

    @AfterAll
    static void stopTlsServer() throws InterruptedException {
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        NETTY.setLevel(null);
    }

    @TempDir
    Path work;

    record Result(int exit, String out, String err) {
    }

    Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MailcertCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, ChannelFactory.tls(), work);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String controller() {
        return "localhost:" + server.getPort();
    }

    @Test
    void trustsTheGivenCaAndSendsTheToken() {
        AUTHORIZATIONS.clear();
        Result r = run(Map.of("MAILCERT_TOKEN", "mcat_tls"), "host", "list", "--controller", controller(),
                "--ca-file", serverCa.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("mx1.example.net"), r.out());
        assertEquals(List.of("Bearer mcat_tls"), AUTHORIZATIONS);
    }

    @Test
    void findsTokenAndCaOfALocalControllerInVarController() throws IOException {
        Path data = Files.createDirectories(work.resolve("var/controller"));
        Files.copy(serverCa, data.resolve("ca.pem"));
        Files.writeString(data.resolve("admin.token"), "mcat_local\n");
        Map<String, String> env = new HashMap<>();
        env.put("MAILCERT_CONTROLLER", controller());
        AUTHORIZATIONS.clear();

        Result r = run(env, "host", "list", "-o", "json");

        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("Bearer mcat_local"), AUTHORIZATIONS);
    }

    @Test
    void wrongCaIsAClearTlsError() {
        Result r = run(Map.of("MAILCERT_TOKEN", "t"), "host", "list", "--controller", controller(),
                "--ca-file", otherCa.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mailcert: TLS handshake with the controller at " + controller() + " failed ("), r.err());
        assertTrue(r.err().contains("check that " + otherCa + " is this controller's CA"), r.err());
        assertTrue(r.err().contains("--ca-file"), r.err());
    }

    @Test
    void withoutCaTheJdkRootsRefuseTheControllerAndItSaysWhatToDo() {
        Result r = run(Map.of("MAILCERT_TOKEN", "t"), "host", "list", "--controller", controller());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("mailcert: TLS handshake with the controller at " + controller() + " failed ("), r.err());
        assertTrue(r.err().endsWith("pass the controller's CA with --ca-file FILE or MAILCERT_CA (ca.pem in its data dir)\n"), r.err());
    }

    @Test
    void anAddressTheCertificateDoesNotNameIsExplained() {
        // The server listens on 127.0.0.1, but its certificate names only localhost.
        Result r = run(Map.of("MAILCERT_TOKEN", "t"), "host", "list", "--controller", "127.0.0.1:" + server.getPort(),
                "--ca-file", serverCa.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mailcert: TLS handshake with the controller at 127.0.0.1:" + server.getPort()
                + " failed ("), r.err());
        assertTrue(r.err().endsWith("; connect by a name in the controller's certificate (see mailcert-controller --name)\n"),
                r.err());
    }

    @Test
    void nothingListeningIsCannotReach() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Result r = run(Map.of("MAILCERT_TOKEN", "t"), "host", "list", "--controller", "localhost:" + port,
                "--ca-file", serverCa.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("mailcert: cannot reach the controller at localhost:" + port + " ("), r.err());
        assertTrue(r.err().endsWith("is mailcert-controller running? set --controller or MAILCERT_CONTROLLER\n"), r.err());
    }

    @Test
    void garbageCaFileIsOneLineNamingIt() throws IOException {
        Path garbage = Files.writeString(work.resolve("garbage.pem"), "this is not a certificate\n");
        Result r = run(Map.of("MAILCERT_TOKEN", "t"), "host", "list", "--controller", controller(),
                "--ca-file", garbage.toString());
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot use the CA file " + garbage + ": it holds no readable PEM certificate;"
                + " give the controller's ca.pem with --ca-file or MAILCERT_CA\n", r.err());
    }

    private static Process keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void await(Process keytool) throws IOException, InterruptedException {
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(30, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, STOREPASS.toCharArray());
        }
        return store;
    }

    private static X509Certificate someJdkRoot() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509 && x509.getAcceptedIssuers().length > 0) {
                return x509.getAcceptedIssuers()[0];
            }
        }
        throw new IllegalStateException("the JDK trusts no root");
    }

    private static Path writePem(Certificate certificate, Path pem) throws Exception {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded());
        return Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
    }
}
