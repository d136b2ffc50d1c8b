package org.mailcert.agent.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;

/** The external programs the service steps run, through the command runner; failures become {@link ServiceException}. */
final class Programs {
    /** How long {@code icacls} and {@code sc.exe} may run. */
    static final Duration SHORT = Duration.ofSeconds(60);
    /** How long a WinSW command may run ({@code stopwait} waits for the agent's 15 s stop timeout). */
    static final Duration WRAPPER = Duration.ofSeconds(120);

    private final CommandRunner runner;

    Programs(CommandRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** Runs the command and returns its result if it exited 0. */
    CommandResult run(String what, Duration timeout, List<String> arguments) throws ServiceException,
            InterruptedException {
        CommandResult r = tryRun(what, timeout, arguments);
        if (!r.succeeded()) {
            throw new ServiceException("cannot " + what + ": " + arguments.get(0) + " " + r.describe());
        }
        return r;
    }

    /** Runs the command and returns its result, whatever its exit code. */
    CommandResult tryRun(String what, Duration timeout, List<String> arguments) throws ServiceException,
            InterruptedException {
        try {
            return runner.run(new Command(arguments, Map.of(), timeout));
        } catch (CommandException e) {
            throw new ServiceException("cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
