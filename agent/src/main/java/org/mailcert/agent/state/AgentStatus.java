package org.mailcert.agent.state;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code mailcert-agent status} shows, as {@code run} last wrote it.
 *
 * @param host the host this agent is enrolled as
 * @param controller the controller address
 * @param connection the state of the Sync stream
 * @param since when {@code connection} last changed
 * @param lastError the last error worth a person's attention; empty when the last round went well
 * @param desiredVersion the latest DesiredState version the controller sent; 0 if none yet
 * @param appliedVersion the version applied and acknowledged; 0 if none yet
 * @param bindings each binding's state, by id
 * @param updated when the file was written
 */
public record AgentStatus(String host, String controller, Connection connection, Instant since,
        Optional<String> lastError, long desiredVersion, long appliedVersion, List<BindingStatus> bindings,
        Instant updated) {

    /** The state of the Sync stream. */
    public enum Connection {
        /** Not connected yet since the agent started. */
        CONNECTING,
        /** A stream is open and the controller answered. */
        CONNECTED,
        /** The last stream ended; the agent retries with back-off and keeps enforcing the applied state. */
        DISCONNECTED,
        /** The controller revoked this host; the agent retries rarely in case it is re-admitted. */
        REVOKED,
        /** The identity is no longer accepted or has expired; the agent has stopped connecting. */
        REENROLL_REQUIRED;

        /** The lower-case, hyphenated name used in the file and output ({@code reenroll-required}). */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses {@link #label()}. */
        public static Connection fromLabel(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** Copies the list and refuses nulls. */
    public AgentStatus {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(lastError, "lastError");
        bindings = List.copyOf(bindings);
        Objects.requireNonNull(updated, "updated");
    }

    /** Whether this differs from {@code other} in anything but {@link #updated()}. */
    public boolean differsFrom(AgentStatus other) {
        return other == null || !withUpdated(other.updated).equals(other);
    }

    /** A copy with another write time. */
    public AgentStatus withUpdated(Instant at) {
        return new AgentStatus(host, controller, connection, since, lastError, desiredVersion, appliedVersion,
                bindings, at);
    }
}
