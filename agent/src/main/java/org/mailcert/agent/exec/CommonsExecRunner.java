package org.mailcert.agent.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.environment.EnvironmentUtils;

/**
 * Runs commands with Apache Commons Exec: an argument array (no shell), the agent's environment
 * plus the command's variables, a watchdog that kills the process at its timeout, and both output
 * streams captured (up to {@link #OUTPUT_LIMIT} bytes each). Thread-safe.
 */
public final class CommonsExecRunner implements CommandRunner {

    @Override
    public CommandResult run(Command command) throws CommandException, InterruptedException {
        CommandLine line = new CommandLine(command.program());
        for (String argument : command.arguments().subList(1, command.arguments().size())) {
            line.addArgument(argument, false);
        }
        Map<String, String> environment;
        try {
            environment = new HashMap<>(EnvironmentUtils.getProcEnvironment());
        } catch (IOException e) {
            throw new CommandException("cannot read the agent's environment to run " + command.program(), e);
        }
        environment.putAll(command.environment());

        BoundedOutput stdout = new BoundedOutput();
        BoundedOutput stderr = new BoundedOutput();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(command.timeout()).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setExitValues(null);
        executor.setStreamHandler(new PumpStreamHandler(stdout, stderr));
        executor.setWatchdog(watchdog);
        DefaultExecuteResultHandler handler = new DefaultExecuteResultHandler();
        try {
            executor.execute(line, environment, handler);
        } catch (IOException e) {
            throw new CommandException("cannot start " + command.program() + ": " + e.getMessage(), e);
        }
        try {
            handler.waitFor();
        } catch (InterruptedException e) {
            watchdog.destroyProcess();
            throw e;
        }
        if (handler.getException() != null && !watchdog.killedProcess()) {
            // With any exit value accepted, the handler reports only a program that could not start.
            throw new CommandException("cannot start " + command.program() + ": "
                    + handler.getException().getMessage(), handler.getException());
        }
        return new CommandResult(handler.getExitValue(), stdout.text(), stderr.text(), watchdog.killedProcess());
    }

    /** Keeps the first {@link #OUTPUT_LIMIT} bytes written and counts the rest away. */
    private static final class BoundedOutput extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (buffer.size() < OUTPUT_LIMIT) {
                buffer.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = OUTPUT_LIMIT - buffer.size();
            if (room > 0) {
                buffer.write(b, off, Math.min(room, len));
            }
        }

        synchronized String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }
}
