package org.mailcert.agent.state;

import org.mailcert.agent.AgentException;

/** A state or status file could not be read or written. */
public final class StateException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message and the error it translates. */
    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
