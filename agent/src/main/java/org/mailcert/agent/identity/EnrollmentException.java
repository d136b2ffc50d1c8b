package org.mailcert.agent.identity;

import java.util.Objects;
import org.mailcert.agent.AgentException;

/** Enrollment failed; the reason says where, the message what to do. */
public final class EnrollmentException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Where enrollment failed. */
    public enum Reason {
        /** The server presented no certificate matching the token's CA pin; the token was not sent. */
        PIN_MISMATCH,
        /** The server's certificate failed the checks against the pinned CA; the token was not sent. */
        UNTRUSTED,
        /** The controller could not be reached or did not answer. */
        UNREACHABLE,
        /** The controller refused the token (unknown, used or expired). */
        TOKEN_REFUSED,
        /** The controller refused the certificate request. */
        CSR_REFUSED,
        /** The controller answered with something the agent cannot accept. */
        BAD_RESPONSE,
        /** The controller failed in another way. */
        FAILED
    }

    private final Reason reason;

    /** Creates the exception. */
    public EnrollmentException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Where enrollment failed. */
    public Reason reason() {
        return reason;
    }
}
