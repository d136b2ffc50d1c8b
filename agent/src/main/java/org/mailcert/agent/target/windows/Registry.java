package org.mailcert.agent.target.windows;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.TargetException;

/**
 * String values in the 32-bit view of {@code HKLM}, through {@code reg.exe} with argument arrays and
 * {@code /reg:32} (on 64-bit Windows that view is {@code HKLM\SOFTWARE\Wow6432Node\...}, where 32-bit
 * programs such as MailEnable and Plesk keep their settings). Key paths are given without
 * {@code Wow6432Node}.
 */
public final class Registry {
    private static final Pattern VALUE_LINE = Pattern.compile("^\\s+(.+?)\\s{4}(REG_[A-Z_]+)(?:\\s{4}(.*))?$");

    private final CommandRunner runner;
    private final Duration timeout;
    private final String target;

    /**
     * @param runner runs {@code reg.exe}
     * @param timeout how long one command may run
     * @param target the target's name, for exceptions
     */
    public Registry(CommandRunner runner, Duration timeout, String target) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * The value's data, or empty if the key or value does not exist.
     *
     * @throws TargetException if {@code reg query} fails otherwise (access denied) or its output has no such value
     */
    public Optional<String> query(String key, String value) throws TargetException, InterruptedException {
        Command c = command("query", key, "/v", value, "/reg:32");
        CommandResult r = PowerShell.Commands.tryRun(runner, c, "read " + key + "\\" + value, target);
        if (!r.succeeded()) {
            // UNVERIFIED: reg.exe's wording for a missing key or value (English Windows).
            if (!r.timedOut() && r.exitCode() == 1 && r.lastLine().toLowerCase(Locale.ROOT).contains("unable to find")) {
                return Optional.empty();
            }
            throw new TargetException(target, "cannot read " + key + "\\" + value + ": reg " + r.describe());
        }
        return parse(r.stdout(), value);
    }

    /** The data of {@code value} in {@code reg query} output, empty if it is not listed. */
    static Optional<String> parse(String output, String value) {
        for (String line : output.split("\\R")) {
            Matcher m = VALUE_LINE.matcher(line);
            if (m.matches() && m.group(1).equalsIgnoreCase(value)) {
                return Optional.of(m.group(3) == null ? "" : m.group(3).stripTrailing());
            }
        }
        return Optional.empty();
    }

    /** Sets a {@code REG_SZ} value, creating the key if needed. */
    public void set(String key, String value, String data) throws TargetException, InterruptedException {
        requireArgumentSafe(data);
        PowerShell.Commands.run(runner, command("add", key, "/v", value, "/t", "REG_SZ", "/d", data, "/f", "/reg:32"),
                "set " + key + "\\" + value, target);
    }

    /** Deletes a value. */
    public void delete(String key, String value) throws TargetException, InterruptedException {
        PowerShell.Commands.run(runner, command("delete", key, "/v", value, "/f", "/reg:32"),
                "delete " + key + "\\" + value, target);
    }

    /**
     * Refuses data that a Windows command line cannot carry as one argument unchanged: Java quotes an
     * argument with spaces, but a double quote, a trailing backslash or a control character would be
     * read differently by {@code reg.exe}.
     */
    void requireArgumentSafe(String data) throws TargetException {
        boolean unsafe = data.chars().anyMatch(ch -> ch == '"' || ch < 0x20 || ch == 0x7f) || data.endsWith("\\");
        if (unsafe) {
            throw new TargetException(target, "refusing to write a registry value holding a quote, a control character"
                    + " or a trailing backslash; set it by hand");
        }
    }

    private Command command(String... args) {
        List<String> argv = new java.util.ArrayList<>();
        argv.add("reg");
        argv.addAll(List.of(args));
        return new Command(argv, Map.of(), timeout);
    }
}
