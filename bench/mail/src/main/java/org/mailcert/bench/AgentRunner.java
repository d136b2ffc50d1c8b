package org.mailcert.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real agent as a separate process, from the packaged jar, as an admin runs it:
 * {@code AgentMain enroll} once, then {@code AgentMain run --target postfix,dovecot ...}. Also
 * measures its live heap with {@code jcmd} and its resident set size.
 */
final class AgentRunner {
    private final Path jar;
    private final Path dataDir;
    private final Path log;
    private final List<String> jvmArgs;
    private Process process;

    AgentRunner(Path jar, Path dataDir, Path log, List<String> jvmArgs) {
        this.jar = jar;
        this.dataDir = dataDir;
        this.log = log;
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** The agent's {@code --data-dir}: its identity, applied state and managed files. */
    Path dataDir() {
        return dataDir;
    }

    /** {@code enroll --controller localhost:PORT --token T --data-dir D}; fails with its output. */
    void enroll(int controllerPort, String token) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command("enroll", "--controller", "localhost:" + controllerPort, "--token", token,
                "--data-dir", dataDir.toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("agent enroll failed; see " + log);
        }
    }

    /** Starts {@code run} with the given target options, in the background. */
    void start(String... runArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--data-dir", dataDir.toString(), "--start-delay", "0s"));
        args.addAll(List.of(runArgs));
        process = new ProcessBuilder(command(args.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    boolean alive() {
        return process != null && process.isAlive();
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

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", jar.toString(), "org.mailcert.agent.cli.AgentMain"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Live heap after a full GC ({@code jcmd PID GC.class_histogram}'s "Total" bytes, smallest of
     * {@code n}), the heap's committed size after it ({@code GC.heap_info}), and the RSS.
     */
    Heap heap(int n) throws IOException, InterruptedException {
        long best = Long.MAX_VALUE;
        long objects = 0;
        for (int i = 0; i < n; i++) {
            for (String line : jcmd("GC.class_histogram").split("\n")) {
                String t = line.trim();
                if (t.startsWith("Total")) {
                    String[] f = t.split("\\s+");
                    if (Long.parseLong(f[2]) < best) {
                        best = Long.parseLong(f[2]);
                        objects = Long.parseLong(f[1]);
                    }
                }
            }
        }
        long committed = -1;
        for (String line : jcmd("GC.heap_info").split("\n")) {
            String t = line.trim();
            if (t.startsWith("garbage-first heap") || t.contains(" total ")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("total (\\d+)K").matcher(t);
                if (m.find()) {
                    committed = Long.parseLong(m.group(1)) * 1024;
                    break;
                }
            }
        }
        return new Heap(best, objects, committed, rss(pid()));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid()), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** Live heap bytes and objects after a full GC, committed heap, and RSS of the agent's JVM. */
    record Heap(long liveBytes, long liveObjects, long committedBytes, long rssBytes) {
    }
}
