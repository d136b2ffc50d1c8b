package org.mailcert.agent.sync;

import java.util.Objects;

/**
 * Why the sync loop ended.
 *
 * @param reason stopped on request, or stopped because only a new enrollment helps
 * @param message one line for the person running the agent
 */
public record SyncResult(Reason reason, String message) {
    /** Why the loop ended. */
    public enum Reason {
        /** {@link SyncClient#stop()} was called. */
        STOPPED,
        /** The identity expired, is damaged or is no longer accepted; the agent must enroll again. */
        REENROLL_REQUIRED
    }

    /** Refuses nulls. */
    public SyncResult {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
