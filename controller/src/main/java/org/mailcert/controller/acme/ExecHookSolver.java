package org.mailcert.controller.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.environment.EnvironmentUtils;
import org.mailcert.common.exec.Pumps;
import org.mailcert.controller.acme.AcmeException.Kind;

/**
 * Presents DNS-01 records by running an admin's command, like certbot's {@code
 * --manual-auth-hook}: the program runs without a shell, with the controller's environment plus
 * {@code MAILCERT_ACTION} ({@code present} or {@code cleanup}), {@code MAILCERT_DOMAIN}, {@code
 * MAILCERT_RECORD} (absolute, with the trailing dot) and {@code MAILCERT_VALUE}. It must exit 0
 * within the timeout. A wildcard and its base domain share one record name with two values, both
 * present at once: the hook must add a value on {@code present}, not replace the record. {@code
 * cleanup} also runs after a {@code present} that failed (it may have written the record before
 * failing), so it must succeed when the value is not there.
 */
public final class ExecHookSolver implements DnsSolver {
    /** The default time one run of the hook may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final int STDERR_TAIL = 4096;
    private static final Duration PUMP_WAIT = Duration.ofSeconds(1);

    private final List<String> command;
    private final Duration timeout;

    /**
     * A solver running {@code commandLine} (split into words; quotes group, no shell).
     *
     * @throws IllegalArgumentException if the line is blank or its quotes do not match
     */
    public ExecHookSolver(String commandLine, Duration timeout) {
        this(CommandWords.split(commandLine), timeout);
    }

    /** A solver running {@code command}, program first. */
    public ExecHookSolver(List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the hook command is empty");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the hook timeout must be positive, not " + timeout);
        }
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    @Override
    public void present(Record record) throws AcmeException {
        run("present", record);
    }

    @Override
    public void cleanup(Record record) throws AcmeException {
        run("cleanup", record);
    }

    @Override
    public String describe() {
        return "exec " + command.get(0);
    }

    private void run(String action, Record record) throws AcmeException {
        CommandLine line = new CommandLine(command.get(0));
        command.subList(1, command.size()).forEach(argument -> line.addArgument(argument, false));
        Map<String, String> environment;
        try {
            environment = new HashMap<>(EnvironmentUtils.getProcEnvironment());
        } catch (IOException e) {
            throw failure(action, record, "cannot read the controller's environment: " + e.getMessage());
        }
        environment.put("MAILCERT_ACTION", action);
        environment.put("MAILCERT_DOMAIN", record.domain());
        environment.put("MAILCERT_RECORD", record.recordName());
        environment.put("MAILCERT_VALUE", record.value());

        Tail stderr = new Tail();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setExitValues(null);
        executor.setWatchdog(watchdog);
        executor.setStreamHandler(new Pumps("", OutputStream.nullOutputStream(), stderr, PUMP_WAIT,
                "mailcert-dns-hook"));
        int exit;
        try {
            exit = executor.execute(line, environment);
        } catch (IOException e) {
            throw failure(action, record, "cannot run it: " + e.getMessage());
        }
        if (watchdog.killedProcess()) {
            throw failure(action, record, "it did not finish within " + Polling.text(timeout) + " and was killed");
        }
        if (exit != 0) {
            throw failure(action, record, "exit " + exit + stderr.lastLine().map(l -> ": " + l).orElse(""));
        }
    }

    private AcmeException failure(String action, Record record, String why) {
        return new AcmeException(Kind.DNS, "the DNS hook " + command.get(0) + " failed to " + action + " "
                + record.recordName() + " for " + record.domain() + ": " + why);
    }

    /** Keeps the last bytes written, to report the hook's last line on standard error. */
    private static final class Tail extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (buffer.size() >= 2 * STDERR_TAIL) {
                byte[] kept = buffer.toByteArray();
                buffer.reset();
                buffer.write(kept, kept.length - STDERR_TAIL, STDERR_TAIL);
            }
            buffer.write(b);
        }

        synchronized Optional<String> lastLine() {
            String text = buffer.toString(StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(text.substring(text.lastIndexOf('\n') + 1).strip());
        }
    }
}
