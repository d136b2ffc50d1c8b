package org.mailcert.bench;

import java.io.IOException;
import java.net.InetAddress;
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

/**
 * The real controller as a separate process, started from the packaged jar on loopback ports that
 * stay the same across restarts (agents reconnect to the same address). Also measures the
 * process's heap with {@code jcmd}.
 */
final class ControllerRunner {
    private final Path jar;
    private final Path dataDir;
    private final List<String> daemonArgs;
    private final Path log;
    private final List<String> jvmArgs;
    private final int port;
    private final int metricsPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    /** System.nanoTime() when the last start began and when /healthz first answered. */
    long spawnedNanos;
    long healthyNanos;

    ControllerRunner(Path jar, Path dataDir, Path extraRoots, Path log, List<String> jvmArgs) throws IOException {
        this(jar, dataDir, List.of("--name", "localhost", "--extra-roots", extraRoots.toString()), log, jvmArgs);
    }

    /** A controller started with {@code daemonArgs} after the data dir and loopback ports. */
    ControllerRunner(Path jar, Path dataDir, List<String> daemonArgs, Path log, List<String> jvmArgs) throws IOException {
        this.jar = jar;
        this.dataDir = dataDir;
        this.daemonArgs = List.copyOf(daemonArgs);
        this.log = log;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.port = freePort();
        this.metricsPort = freePort();
    }

    int port() {
        return port;
    }

    /** The process id, or -1 when it is not running. */
    long pid() {
        return process == null || !process.isAlive() ? -1 : process.pid();
    }

    Path caPem() {
        return dataDir.resolve("ca.pem");
    }

    String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin.token"), StandardCharsets.US_ASCII).trim();
    }

    /** Starts the process and waits until /healthz answers (at most 60 s). */
    void start() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", jar.toString(), "org.mailcert.controller.daemon.ControllerMain",
                "--data-dir", dataDir.toString(),
                "--listen", "127.0.0.1:" + port,
                "--metrics-listen", "127.0.0.1:" + metricsPort));
        cmd.addAll(daemonArgs);
        spawnedNanos = System.nanoTime();
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("controller exited with " + process.exitValue() + "; see " + log);
            }
            if (healthy()) {
                healthyNanos = System.nanoTime();
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("controller did not become healthy in 60 s; see " + log);
    }

    private boolean healthy() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code mailcert ARGS} (the packaged CLI, as an admin would) against this controller;
     * throws with its output if it fails.
     */
    String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "org.mailcert.controller.cli.MailcertCli", "--controller", "127.0.0.1:" + port,
                "--token-file", dataDir.resolve("admin.token").toString(), "--ca-file", caPem().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mailcert " + String.join(" ", args) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("mailcert " + String.join(" ", args) + " failed (" + p.exitValue()
                    + "): " + output);
        }
        return output;
    }

    /** SIGKILL, as a crash or an OOM kill would. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Live heap of the controller: {@code jcmd <pid> GC.class_histogram} forces a full GC and
     * counts the objects that survive it; its "Total" bytes are the live heap. Taken {@code n}
     * times; the smallest is returned (later runs only collect garbage the earlier left).
     */
    HeapSample heap(int n) throws IOException, InterruptedException {
        long best = Long.MAX_VALUE;
        long objects = 0;
        for (int i = 0; i < n; i++) {
            String out = jcmd("GC.class_histogram");
            long[] total = totalLine(out);
            if (total[1] < best) {
                best = total[1];
                objects = total[0];
            }
        }
        return new HeapSample(best, objects, rssBytes());
    }

    /** Runs a jcmd diagnostic command against the controller and returns its output. */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: "
                    + new String(bytes, StandardCharsets.UTF_8));
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long[] totalLine(String histogram) throws IOException {
        for (String line : histogram.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
            }
        }
        throw new IOException("no Total line in the class histogram");
    }

    private long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** Live heap bytes and objects after a full GC, and the resident set size of the process. */
    record HeapSample(long liveBytes, long liveObjects, long rssBytes) {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
