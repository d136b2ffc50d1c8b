package org.mailcert.agent.exec;

/** Runs external commands; the only way the agent starts a process. */
public interface CommandRunner {
    /** Bytes of each output stream kept; the rest is dropped. */
    int OUTPUT_LIMIT = 64 * 1024;

    /**
     * Runs the command to its end or its timeout and reports how it ended; a non-zero exit code is a
     * result, not an exception.
     *
     * @throws CommandException if the program cannot be started
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    CommandResult run(Command command) throws CommandException, InterruptedException;
}
