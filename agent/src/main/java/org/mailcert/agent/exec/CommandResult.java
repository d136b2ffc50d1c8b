package org.mailcert.agent.exec;

import java.util.Objects;

/**
 * How a command ended.
 *
 * @param exitCode the process's exit code (meaningless when {@code timedOut})
 * @param stdout what it wrote to standard output, cut at {@link CommandRunner#OUTPUT_LIMIT} bytes
 * @param stderr what it wrote to standard error, cut the same way
 * @param timedOut whether it was killed for running longer than its timeout
 */
public record CommandResult(int exitCode, String stdout, String stderr, boolean timedOut) {
    /** Refuses nulls. */
    public CommandResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** A result for a command that exited with the code and wrote only to stdout. */
    public static CommandResult exited(int exitCode, String stdout) {
        return new CommandResult(exitCode, stdout, "", false);
    }

    /** Whether the command ran to the end and exited 0. */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** The last non-blank line of stderr, else of stdout, else "" (what to show a person). */
    public String lastLine() {
        String line = lastLine(stderr);
        return line.isEmpty() ? lastLine(stdout) : line;
    }

    /** One line describing a failure: "exited 3: <last line>" or "timed out". */
    public String describe() {
        String last = lastLine();
        String what = timedOut ? "timed out" : "exited " + exitCode;
        return last.isEmpty() ? what : what + ": " + last;
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "";
    }
}
