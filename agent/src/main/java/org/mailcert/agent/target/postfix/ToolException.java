package org.mailcert.agent.target.postfix;

/** A Postfix tool failed, or exited 0 but complained on stderr; the message says which and why. */
final class ToolException extends Exception {
    private static final long serialVersionUID = 1L;

    ToolException(String message) {
        super(message);
    }

    ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
