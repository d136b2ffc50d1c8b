package org.mailcert.agent.sync;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.AgentStatus.Connection;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.agent.state.BindingStatus;
import org.mailcert.agent.state.BindingStatus.State;
import org.mailcert.agent.state.StateException;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.proto.v1.DesiredBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's status and rewrites the status file whenever it changes (not when only time
 * passes). {@code since} moves only when the connection state changes. A status file that cannot be
 * written is logged, never fatal. Called from the sync loop thread only.
 */
final class StatusTracker {
    private static final Logger LOG = LoggerFactory.getLogger(StatusTracker.class);

    private final StatusStore store;
    private final Clock clock;
    private AgentStatus status;
    private AgentStatus written;

    StatusTracker(StatusStore store, Clock clock, String host, String controller, AppliedState applied) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        Instant now = clock.instant();
        this.status = new AgentStatus(host, controller, Connection.CONNECTING, now, Optional.empty(), 0,
                applied.version(), appliedBindings(applied), now);
    }

    /** The current status. */
    AgentStatus current() {
        return status;
    }

    /** The stream's state changed (or not: then only the error is updated). */
    void connection(Connection connection, Optional<String> error) {
        Instant since = connection == status.connection() ? status.since() : clock.instant();
        update(new AgentStatus(status.host(), status.controller(), connection, since,
                error.isPresent() ? error : status.lastError(), status.desiredVersion(), status.appliedVersion(),
                status.bindings(), status.updated()));
    }

    /** The controller sent this version. */
    void desired(long version) {
        update(new AgentStatus(status.host(), status.controller(), status.connection(), status.since(),
                status.lastError(), version, status.appliedVersion(), status.bindings(), status.updated()));
    }

    /** The state was applied and acknowledged (or re-enforced at start): every binding applied, no error. */
    void applied(AppliedState applied) {
        update(new AgentStatus(status.host(), status.controller(), status.connection(), status.since(),
                Optional.empty(), status.desiredVersion(), applied.version(), appliedBindings(applied),
                status.updated()));
    }

    /**
     * A desired set could not be applied; the applied state is unchanged.
     *
     * @param attempted the complete set that was refused
     * @param errors binding id to message for the bindings at fault
     */
    void failed(String message, Collection<DesiredBinding> attempted, Map<String, String> errors,
            AppliedState applied) {
        List<BindingStatus> bindings = new ArrayList<>();
        for (DesiredBinding b : attempted) {
            DesiredBinding current = applied.bindings().get(b.getId());
            String error = errors.get(b.getId());
            State state;
            String why;
            if (error != null) {
                state = State.FAILED;
                why = error;
            } else if (current != null && current.getLeafSha256().equals(b.getLeafSha256())) {
                state = State.APPLIED;
                why = "";
            } else {
                state = State.PENDING;
                why = "not installed: " + message;
            }
            bindings.add(status(b, state, why));
        }
        for (DesiredBinding b : applied.bindings().values()) {
            if (attempted.stream().noneMatch(a -> a.getId().equals(b.getId()))) {
                bindings.add(status(b, State.APPLIED, "still installed; its removal waits for a state that applies"));
            }
        }
        update(new AgentStatus(status.host(), status.controller(), status.connection(), status.since(),
                Optional.of(message), status.desiredVersion(), applied.version(), bindings, status.updated()));
    }

    /** Records an error without changing anything else. */
    void error(String message) {
        update(new AgentStatus(status.host(), status.controller(), status.connection(), status.since(),
                Optional.of(message), status.desiredVersion(), status.appliedVersion(), status.bindings(),
                status.updated()));
    }

    private void update(AgentStatus next) {
        status = next;
        if (!next.differsFrom(written)) {
            return;
        }
        AgentStatus stamped = next.withUpdated(clock.instant());
        try {
            store.save(stamped);
            written = stamped;
            status = stamped;
        } catch (StateException e) {
            LOG.warn("host {}: {}", status.host(), e.getMessage());
        }
    }

    private static List<BindingStatus> appliedBindings(AppliedState applied) {
        List<BindingStatus> out = new ArrayList<>();
        for (DesiredBinding b : applied.bindings().values()) {
            out.add(status(b, State.APPLIED, ""));
        }
        return out;
    }

    private static BindingStatus status(DesiredBinding b, State state, String message) {
        return new BindingStatus(b.getId(), b.getServedName(), b.getCertificate(), b.getCertificateVersion(),
                b.getLeafSha256(), state, message);
    }
}
