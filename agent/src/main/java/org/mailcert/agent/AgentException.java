package org.mailcert.agent;

import org.mailcert.common.MailcertException;

/**
 * Checked root of the agent's exceptions; every subclass carries what a caller needs to decide what
 * to do, and every message is one line for the person who has to fix the problem.
 */
public class AgentException extends MailcertException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a one-line message. */
    public AgentException(String message) {
        super(message);
    }

    /** Creates an exception with a one-line message and the foreign error it translates. */
    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
