package org.mailcert.controller.testing;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mailcert.proto.v1.AdminServiceGrpc;

/**
 * A real {@code mailcert-controller} process for integration tests: started from the packaged
 * jar on loopback ports, reached over TLS with the admin token it wrote, killed or stopped.
 */
public final class ControllerProcess implements AutoCloseable {
    /** The packaged controller: this module's target, or the controller module's from a sibling module. */
    private static final Path JAR = Files.exists(Path.of("target", "mailcert-controller.jar"))
            ? Path.of("target", "mailcert-controller.jar")
            : Path.of("..", "controller", "target", "mailcert-controller.jar");

    private final Path dataDir;
    private final int port;
    private final int metricsPort;
    private final List<String> extraArgs;
    private Process process;
    private ManagedChannel channel;

    public ControllerProcess(Path dataDir, String... extraArgs) throws IOException {
        this(dataDir, freePort(), freePort(), extraArgs);
    }

    /** A controller on given ports, e.g. to restart one where its agents expect it. */
    public ControllerProcess(Path dataDir, int port, int metricsPort, String... extraArgs) {
        this.dataDir = dataDir;
        this.port = port;
        this.metricsPort = metricsPort;
        this.extraArgs = List.of(extraArgs);
    }

    /** The metrics port. */
    /** The controller's process id (for signals such as SIGSTOP in tests). */
    public long pid() {
        return process.pid();
    }

    public int metricsPort() {
        return metricsPort;
    }

    /** The value of one un-labelled metric on /metrics. */
    public long metric(String name) throws Exception {
        for (String line : metrics().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new IllegalStateException("no " + name + " in /metrics");
    }

    /** What one run of the {@code mailcert} CLI printed (stdout and stderr together) and returned. */
    public record CliResult(int exit, String output) {
    }

    /**
     * Runs the packaged {@code mailcert} CLI against this controller, with its admin token and CA,
     * as an admin would (a separate JVM; at most 60 s).
     */
    public CliResult cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", JAR.toString(),
                "org.mailcert.controller.cli.MailcertCli",
                "--controller", address(), "--token-file", tokenFile().toString(), "--ca-file", caPem().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mailcert " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new CliResult(p.exitValue(), output);
    }

    /** Starts the process and waits until /healthz answers (at most 60 s). */
    public ControllerProcess start() throws Exception {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: integration tests run after `package`");
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", JAR.toString(), "org.mailcert.controller.daemon.ControllerMain",
                "--data-dir", dataDir.toString(),
                "--listen", "127.0.0.1:" + port,
                "--metrics-listen", "127.0.0.1:" + metricsPort));
        cmd.addAll(extraArgs);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("controller exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            if (healthy()) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("controller did not become healthy in 60 s:\n" + Files.readString(log));
    }

    private boolean healthy() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/healthz"))
                            .timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The Prometheus text of /metrics. */
    public String metrics() throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The store revision the controller reports on /metrics. */
    public long revision() throws Exception {
        for (String line : metrics().split("\n")) {
            if (line.startsWith("mailcert_store_revision ")) {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new IllegalStateException("no mailcert_store_revision in /metrics");
    }

    /** A blocking admin stub over TLS with the controller's first admin token. */
    public AdminServiceGrpc.AdminServiceBlockingStub admin() throws IOException {
        return AdminServiceGrpc.newBlockingStub(channel()).withCallCredentials(bearer(adminToken()));
    }

    public ManagedChannel channel() throws IOException {
        if (channel == null) {
            channel = Grpc.newChannelBuilderForAddress("localhost", port,
                    TlsChannelCredentials.newBuilder().trustManager(caPem().toFile()).build()).build();
        }
        return channel;
    }

    public String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin.token"), StandardCharsets.US_ASCII).trim();
    }

    public Path caPem() {
        return dataDir.resolve("ca.pem");
    }

    public Path tokenFile() {
        return dataDir.resolve("admin.token");
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return port;
    }

    public String address() {
        return "localhost:" + port;
    }

    /** Kills the process without warning (SIGKILL) and waits for it to be gone. */
    public void kill9() throws InterruptedException {
        closeChannel();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops the process politely (SIGTERM) and waits. */
    public void stop() throws InterruptedException {
        closeChannel();
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void closeChannel() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            channel = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public static CallCredentials bearer(String token) {
        return new org.mailcert.controller.cli.BearerToken(token);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
