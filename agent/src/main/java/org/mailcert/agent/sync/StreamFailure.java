package org.mailcert.agent.sync;

import java.util.Objects;

/**
 * Why a Sync stream ended, sorted into what the agent does next.
 *
 * @param kind what to do
 * @param message one line for logs and the status file
 */
public record StreamFailure(Kind kind, String message) {
    /** What the agent does after the stream ended. */
    public enum Kind {
        /** Transient (unreachable, deadline, internal error, closed by the controller): back off and retry. */
        RETRY,
        /** The controller no longer accepts this identity: stop connecting until the agent enrolls again. */
        REENROLL,
        /** The host is revoked: retry only at the back-off cap, in case it is re-admitted. */
        REVOKED
    }

    /** Refuses nulls. */
    public StreamFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }
}
