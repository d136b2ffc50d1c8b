package org.mailcert.agent.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.environment.EnvironmentUtils;
import org.mailcert.common.exec.Pumps;

/**
 * Runs commands with Apache Commons Exec: an argument array (no shell), the agent's environment
 * plus the command's variables, a watchdog that kills the process at its timeout, and both output
 * streams captured (up to {@link #OUTPUT_LIMIT} bytes each). A killed command's own children are
 * not killed (Commons Exec knows only the process it started). Thread-safe.
 */
public final class CommonsExecRunner implements CommandRunner {
    /** How long output is still read after the process ended. */
    static final Duration PUMP_WAIT = Duration.ofMillis(500);

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
        executor.setStreamHandler(new Pumps(command.input(), stdout, stderr, PUMP_WAIT, "mailcert-exec"));
        executor.setWatchdog(watchdog);
        Completion handler = new Completion();
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

    /**
     * The end of the process, awaited without polling: Commons Exec's own {@code
     * DefaultExecuteResultHandler} checks every 50 ms, which added 25 ms on average to each of the
     * dozen commands an apply runs.
     */
    private static final class Completion implements ExecuteResultHandler {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile int exitValue;
        private volatile ExecuteException exception;

        @Override
        public void onProcessComplete(int exitValue) {
            this.exitValue = exitValue;
            done.countDown();
        }

        @Override
        public void onProcessFailed(ExecuteException e) {
            this.exitValue = e.getExitValue();
            this.exception = e;
            done.countDown();
        }

        void waitFor() throws InterruptedException {
            done.await();
        }

        int getExitValue() {
            return exitValue;
        }

        ExecuteException getException() {
            return exception;
        }
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
