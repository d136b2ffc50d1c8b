package org.mailcert.agent.target.windows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.TargetException;

/**
 * Runs Windows PowerShell as {@code powershell.exe -NoProfile -NonInteractive -Command -} with the script
 * on stdin. Scripts are constant text: every value (names, paths, thumbprints, the PFX password) reaches
 * them as an environment variable {@code MAILCERT_*}, so nothing a controller or an admin wrote is ever
 * parsed as PowerShell, and no secret is on a command line. A script is rendered as two lines, the
 * statements inside one {@code try}: PowerShell reading a script from stdin runs it line by line, so a
 * statement spread over lines would need a blank line to end it.
 * UNVERIFIED: that {@code exit 1} inside {@code catch} becomes powershell.exe's exit code under
 * {@code -Command -} (checked only by reading, not on Windows).
 */
public final class PowerShell {
    /** The program and its arguments. */
    public static final List<String> PROGRAM = List.of("powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
            "-");

    private final CommandRunner runner;
    private final Duration timeout;
    private final String target;

    /**
     * @param runner runs the command
     * @param timeout how long one script may run
     * @param target the target's name, for exceptions
     */
    public PowerShell(CommandRunner runner, Duration timeout, String target) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** The target's name the scripts run for. */
    public String target() {
        return target;
    }

    /** The script PowerShell reads for {@code statements}. */
    static String render(List<String> statements) {
        return "$ErrorActionPreference = 'Stop'\r\ntry { " + String.join("; ", statements)
                + " } catch { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }\r\n";
    }

    /**
     * Runs the statements with the variables set and returns stdout.
     *
     * @param what one phrase for errors ({@code import the certificate})
     * @throws TargetException if PowerShell cannot start or the script fails; the message has the last
     *     line of its output and never the variables' values
     */
    public String run(String what, List<String> statements, Map<String, String> variables)
            throws TargetException, InterruptedException {
        return Commands.run(runner, new Command(PROGRAM, variables, timeout, render(statements)), what, target)
                .stdout();
    }

    /** Commands whose failure is a {@link TargetException}. */
    static final class Commands {
        private Commands() {
        }

        /** Runs the command and returns its result if it exited 0. */
        static CommandResult run(CommandRunner runner, Command command, String what, String target)
                throws TargetException, InterruptedException {
            CommandResult r = tryRun(runner, command, what, target);
            if (!r.succeeded()) {
                throw new TargetException(target, "cannot " + what + ": " + command.program() + " " + r.describe());
            }
            return r;
        }

        /** Runs the command and returns its result, whatever its exit code. */
        static CommandResult tryRun(CommandRunner runner, Command command, String what, String target)
                throws TargetException, InterruptedException {
            try {
                return runner.run(command);
            } catch (CommandException e) {
                throw new TargetException(target, "cannot " + what + ": " + e.getMessage(), Map.of(), true, e);
            }
        }
    }
}
