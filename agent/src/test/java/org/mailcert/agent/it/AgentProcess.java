package org.mailcert.agent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code mailcert-agent} as a separate process, as an admin would. */
final class AgentProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target", "mailcert-agent.jar");

    private final Path log;
    private Process process;

    private AgentProcess(Path log) {
        this.log = log;
    }

    /** One command to completion: its exit code and combined output. */
    record Result(int exit, String output) {
    }

    static Result run(Path work, String... args) throws Exception {
        Path out = Files.createTempFile(work, "agent-cmd", ".log");
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mailcert-agent " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** Starts {@code mailcert-agent run ...} in the background. */
    static AgentProcess start(Path log, String... runArgs) throws IOException {
        return start(log, java.util.Map.of(), runArgs);
    }

    /** Starts {@code mailcert-agent run ...} in the background with extra environment variables. */
    static AgentProcess start(Path log, java.util.Map<String, String> environment, String... runArgs)
            throws IOException {
        AgentProcess a = new AgentProcess(log);
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(runArgs));
        ProcessBuilder builder = new ProcessBuilder(command(args.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        a.process = builder.start();
        return a;
    }

    private static List<String> command(String... args) {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: integration tests run after `package`");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", JAR.toString(), "org.mailcert.agent.cli.AgentMain"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
