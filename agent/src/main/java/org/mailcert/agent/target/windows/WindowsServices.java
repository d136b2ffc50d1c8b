package org.mailcert.agent.target.windows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.TargetException;

/** Windows services: which run ({@code sc query}), and restarting one ({@code Restart-Service}, which waits). */
public final class WindowsServices {
    private static final Pattern STATE = Pattern.compile("^\\s*STATE\\s*:\\s*\\d+\\s+(\\w+)", Pattern.MULTILINE);
    /** {@code sc query}'s exit code for a service that is not installed. */
    static final int NOT_INSTALLED = 1060;

    private final CommandRunner runner;
    private final PowerShell powershell;
    private final Duration timeout;
    private final String target;

    /**
     * @param runner runs {@code sc.exe}
     * @param powershell runs the restarts
     * @param timeout how long {@code sc query} may run
     * @param target the target's name, for exceptions
     */
    public WindowsServices(CommandRunner runner, PowerShell powershell, Duration timeout, String target) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.powershell = Objects.requireNonNull(powershell, "powershell");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** Those of {@code names} that are installed and running, in the given order. */
    public List<String> running(List<String> names) throws TargetException, InterruptedException {
        List<String> running = new ArrayList<>();
        for (String name : names) {
            CommandResult r = PowerShell.Commands.tryRun(runner, new Command(List.of("sc", "query", name), Map.of(),
                    timeout), "query service " + name, target);
            if (r.exitCode() == NOT_INSTALLED && !r.timedOut()) {
                continue;
            }
            if (!r.succeeded()) {
                throw new TargetException(target, "cannot query service " + name + ": sc " + r.describe());
            }
            if (state(r.stdout()).equals("RUNNING")) {
                running.add(name);
            }
        }
        return running;
    }

    /** The {@code STATE} word of {@code sc query} output ({@code RUNNING}, {@code STOPPED}); "" if none. */
    static String state(String output) {
        Matcher m = STATE.matcher(output);
        return m.find() ? m.group(1) : "";
    }

    /** Stops and starts a service, waiting for both. */
    public void restart(String name) throws TargetException, InterruptedException {
        powershell.run("restart service " + name, List.of("Restart-Service -Name $env:MAILCERT_SERVICE -Force"),
                Map.of("MAILCERT_SERVICE", name));
    }
}
