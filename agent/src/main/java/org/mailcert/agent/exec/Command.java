package org.mailcert.agent.exec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One command to run.
 *
 * @param arguments the program and its arguments, passed to the program as they are (no shell)
 * @param environment variables set in addition to (or replacing) the agent's own environment
 * @param timeout how long the command may run before it is killed
 * @param input what the command reads on stdin (US-ASCII); empty closes stdin at once
 */
public record Command(List<String> arguments, Map<String, String> environment, Duration timeout, String input) {
    /** A command that reads nothing on stdin. */
    public Command(List<String> arguments, Map<String, String> environment, Duration timeout) {
        this(arguments, environment, timeout, "");
    }

    /** Copies the collections and refuses an empty argument list or a non-positive timeout. */
    public Command {
        Objects.requireNonNull(input, "input");
        arguments = List.copyOf(arguments);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(timeout, "timeout");
        if (arguments.isEmpty() || arguments.get(0).isBlank()) {
            throw new IllegalArgumentException("a command needs a program to run");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a command's timeout must be positive, not " + timeout);
        }
    }

    /** The program, as given. */
    public String program() {
        return arguments.get(0);
    }

    /** The arguments joined by spaces, for log lines (not for running). */
    public String display() {
        return String.join(" ", arguments);
    }
}
