package org.mailcert.agent.service;

import org.mailcert.agent.AgentException;

/** Installing or removing the Windows service failed; the message says what was done and what to do next. */
public final class ServiceException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message. */
    public ServiceException(String message) {
        super(message);
    }

    /** Creates the exception with a one-line message and the error it translates. */
    public ServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
