package org.mailcert.agent.exec;

import org.mailcert.agent.AgentException;

/** A command could not be started at all (missing program, not executable, I/O failure). */
public final class CommandException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message and the error it translates. */
    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
