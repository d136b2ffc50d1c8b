package org.mailcert.agent.identity;

import java.util.Objects;
import org.mailcert.agent.AgentException;

/** The stored identity is missing, damaged, expired or in the way of a new enrollment. */
public final class IdentityException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the identity. */
    public enum Reason {
        /** No identity in the data dir: the agent has not enrolled. */
        MISSING,
        /** Files are unreadable, do not parse, or the key does not belong to the certificate. */
        DAMAGED,
        /** The client certificate has expired; only a new enrollment helps. */
        EXPIRED,
        /** An identity exists and enrollment was not forced. */
        EXISTS
    }

    private final Reason reason;

    /** Creates the exception with its reason and a one-line message. */
    public IdentityException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Creates the exception with its reason, a one-line message and the error it translates. */
    public IdentityException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What is wrong. */
    public Reason reason() {
        return reason;
    }
}
