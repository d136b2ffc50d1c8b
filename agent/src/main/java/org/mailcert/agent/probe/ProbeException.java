package org.mailcert.agent.probe;

import org.mailcert.agent.AgentException;

/** A probe could not complete a handshake: connection refused, timeout, protocol or TLS failure. */
public final class ProbeException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with one line saying what failed. */
    public ProbeException(String message, Throwable cause) {
        super(message, cause);
    }
}
