package org.mailcert.controller.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;

/**
 * A Debian {@code pebble} ACME server with {@code pebble-challtestsrv} as its DNS resolver, both on
 * free loopback ports, for integration tests. The fixture makes Pebble's TLS CA and a {@code
 * localhost}/{@code 127.0.0.1} leaf (the package ships none), writes the config, starts both
 * programs and waits (bounded) until they answer; {@link #close()} stops them and removes the files.
 *
 * <pre>{@code
 * try (PebbleInstance pebble = PebbleInstance.start()) {
 *     URI directory = pebble.directory();          // https://127.0.0.1:PORT/dir
 *     String tlsCa = pebble.tlsCaPem();            // trust this for the directory's TLS
 *     pebble.setTxt("_acme-challenge.example.test.", "value");
 * }
 * }</pre>
 */
public final class PebbleInstance implements AutoCloseable {
    private static final String PEBBLE = "/usr/bin/pebble";
    private static final String CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final String tlsCaPem;
    private final int acmePort;
    private final int managementPort;
    private final int challtestManagementPort;
    private final HttpClient http;
    private final List<Process> processes = new ArrayList<>();

    private PebbleInstance(Path dir, String tlsCaPem, int acmePort, int managementPort, int challtestManagementPort,
            HttpClient http) {
        this.dir = dir;
        this.tlsCaPem = tlsCaPem;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
        this.challtestManagementPort = challtestManagementPort;
        this.http = http;
    }

    /** Starts Pebble without External Account Binding. */
    public static PebbleInstance start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /**
     * Starts Pebble; with {@code eabKeys} (key id to base64url HMAC key) non-empty, it requires
     * External Account Binding with one of them.
     */
    public static PebbleInstance start(Map<String, String> eabKeys) throws IOException, InterruptedException {
        return start(eabKeys, java.util.Optional.empty());
    }

    /**
     * Starts Pebble resolving DNS-01 records at {@code dnsServer} ({@code host:port}, e.g. a
     * {@link BindInstance}) instead of pebble-challtestsrv.
     */
    public static PebbleInstance start(Map<String, String> eabKeys, java.util.Optional<String> dnsServer)
            throws IOException, InterruptedException {
        return start(eabKeys, dnsServer, Map.of());
    }

    /**
     * Like {@link #start(Map, java.util.Optional)}, with {@code environment} added to Pebble's
     * environment, where it overrides the fixture's own settings ({@code PEBBLE_VA_NOSLEEP=1},
     * {@code PEBBLE_WFE_NONCEREJECT=0}, {@code PEBBLE_AUTHZREUSE=0}); for example
     * {@code PEBBLE_VA_ALWAYS_VALID=1} to skip validation, as a benchmark of the clients does.
     */
    public static PebbleInstance start(Map<String, String> eabKeys, java.util.Optional<String> dnsServer,
            Map<String, String> environment) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mailcert-pebble");
        TestPki pki = TestPki.rootCa("mailcert test Pebble TLS CA");
        TestPki.Leaf leaf = pki.leaf("localhost").ipAddresses("127.0.0.1").issue();
        Files.writeString(dir.resolve("cert.pem"), leaf.chainPem(), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("key.pem"), leaf.keyPem(), StandardCharsets.US_ASCII);
        String caPem = Pem.certificates(List.of(pki.root()));

        int[] ports = freePorts(6);
        int acme = ports[0];
        int management = ports[1];
        int dns = ports[2];
        int challtest = ports[3];
        String config = """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": %b,
                  "externalAccountMACKeys": {%s}
                }}
                """.formatted(acme, management, dir.resolve("cert.pem"), dir.resolve("key.pem"), ports[4], ports[5],
                !eabKeys.isEmpty(), eabKeys.entrySet().stream()
                        .map(e -> "\"" + e.getKey() + "\": \"" + e.getValue() + "\"")
                        .collect(Collectors.joining(", ")));
        Files.writeString(dir.resolve("pebble.json"), config, StandardCharsets.UTF_8);

        PebbleInstance instance = new PebbleInstance(dir, caPem, acme, management, challtest, client(pki));
        try {
            instance.launch("challtestsrv", List.of(CHALLTESTSRV, "-dns01", "127.0.0.1:" + dns,
                    "-management", "127.0.0.1:" + challtest, "-http01", "", "-https01", "", "-tlsalpn01", ""),
                    Map.of());
            instance.awaitListening(challtest, "pebble-challtestsrv");
            instance.launch("pebble", List.of(PEBBLE, "-config", dir.resolve("pebble.json").toString(),
                    "-dnsserver", dnsServer.orElse("127.0.0.1:" + dns)),
                    pebbleEnvironment(environment));
            instance.awaitListening(acme, "pebble");
            instance.awaitListening(management, "pebble management");
            return instance;
        } catch (IOException | InterruptedException | RuntimeException e) {
            instance.close();
            throw e;
        }
    }

    /** The fixture's Pebble settings with {@code extra} added over them. */
    private static Map<String, String> pebbleEnvironment(Map<String, String> extra) {
        Map<String, String> environment = new java.util.HashMap<>(
                Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", "0", "PEBBLE_AUTHZREUSE", "0"));
        environment.putAll(extra);
        return environment;
    }

    /** The ACME directory URL. */
    public URI directory() {
        return URI.create("https://127.0.0.1:" + acmePort + "/dir");
    }

    /** The PEM root that Pebble's TLS certificate chains to (not the root it issues from). */
    public String tlsCaPem() {
        return tlsCaPem;
    }

    /** The PEM root Pebble issues certificates under; Pebble makes a new one at every start. */
    public String issuingRootPem() throws IOException, InterruptedException {
        return get(URI.create("https://127.0.0.1:" + managementPort + "/roots/0"));
    }

    /** Pebble's directory document, as JSON text (for tests that serve an altered copy). */
    public String directoryJson() throws IOException, InterruptedException {
        return get(directory());
    }

    /** Adds a TXT value at {@code host} (absolute, with the trailing dot) in challtestsrv's DNS. */
    public void setTxt(String host, String value) throws IOException, InterruptedException {
        post("/set-txt", "{\"host\":\"" + host + "\",\"value\":\"" + value + "\"}");
    }

    /** Removes every TXT value at {@code host} from challtestsrv's DNS. */
    public void clearTxt(String host) throws IOException, InterruptedException {
        post("/clear-txt", "{\"host\":\"" + host + "\"}");
    }

    /** The base URL of challtestsrv's management API, for hooks that call it themselves. */
    public URI challtestManagement() {
        return URI.create("http://127.0.0.1:" + challtestManagementPort);
    }

    /** What Pebble has written to its standard output and error so far. */
    public String pebbleLog() throws IOException {
        return Files.readString(dir.resolve("pebble.log"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    private void launch(String name, List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().putAll(environment);
        processes.add(builder.start());
    }

    private void awaitListening(int port, String name) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited early: " + logs());
                }
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within "
                + START_TIMEOUT.toSeconds() + " s: " + logs());
    }

    private String logs() throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                text.append('\n').append(log.getFileName()).append(":\n").append(Files.readString(log));
            }
        }
        return text.toString();
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private void post(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(challtestManagement().resolve(path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("POST " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    private static HttpClient client(TestPki pki) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("pebble-tls", pki.root());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust the test CA", e);
        }
    }

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // the port is free again either way
                }
            }
        }
    }
}
