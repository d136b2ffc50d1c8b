package org.mailcert.agent.drift;

import java.util.Objects;

/**
 * One difference between the desired and the observed state.
 *
 * @param reason which check found it
 * @param subject the binding's id, or {@link #HOST} for the host as a whole
 * @param target the target that observed it ({@code postfix}, {@code dovecot}, ...), or "" for none
 * @param message what is wrong, for an admin: names the file, endpoint or certificate, never a key
 */
public record DriftItem(Reason reason, String subject, String target, String message) {
    /** The subject of items about the host rather than one binding. */
    public static final String HOST = "host";

    /** Refuses nulls. */
    public DriftItem {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
    }

    /** {@code Reason subject (target): message}. */
    @Override
    public String toString() {
        return reason.label() + " " + subject + (target.isEmpty() ? "" : " (" + target + ")") + ": " + message;
    }
}
