package org.mailcert.common;

/**
 * Checked root of the exceptions thrown by the common module; each subclass carries data a caller
 * can act on, and every message is one line written for the person who has to fix the problem.
 */
public class MailcertException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a one-line message. */
    public MailcertException(String message) {
        super(message);
    }

    /** Creates an exception with a one-line message and the foreign error it translates. */
    public MailcertException(String message, Throwable cause) {
        super(message, cause);
    }
}
