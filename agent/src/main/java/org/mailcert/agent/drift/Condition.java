package org.mailcert.agent.drift;

import java.time.Instant;
import java.util.Objects;

/**
 * One condition of a binding or of the host, with cert-manager's fields. {@code
 * lastTransitionTime} is when {@code status} last changed, not when the condition was last seen:
 * {@link Conditions#merge} keeps it while the status stays the same, even if the reason or message
 * change.
 *
 * @param type what the condition is about
 * @param status whether it holds
 * @param reason a CamelCase word: the first drift reason when false, the type's name when true
 * @param message what an admin needs to know; never a key
 * @param lastTransitionTime when the status last changed
 * @param observedVersion the applied state's version it was observed for
 */
public record Condition(Type type, Status status, String reason, String message, Instant lastTransitionTime,
        long observedVersion) {
    /** What a condition is about. */
    public enum Type {
        /** The files and configuration the binding needs are in place as installed. */
        INSTALLED("Installed"),
        /** Live handshakes return the desired certificate, and it covers the names asked for. */
        SERVED("Served"),
        /** Installed, served, and the certificate itself is good (trusted, not expired, supported here). */
        READY("Ready");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        /** The name reported and shown. */
        public String label() {
            return label;
        }
    }

    /** Whether a condition holds. */
    public enum Status {
        TRUE("True"), FALSE("False"), UNKNOWN("Unknown");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        /** The name reported and shown. */
        public String label() {
            return label;
        }
    }

    /** Refuses nulls. */
    public Condition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(lastTransitionTime, "lastTransitionTime");
    }
}
