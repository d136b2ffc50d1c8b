package org.mailcert.controller.cli;

/**
 * A failure the user can act on; the message is printed as {@code mailcert: <message>} and the
 * command exits 1. It says what is wrong and what to do, in one line.
 */
public class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure with a message written for the person at the terminal. */
    public CliException(String message) {
        super(message);
    }

    /** A failure with a message written for the person at the terminal, and its cause. */
    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
