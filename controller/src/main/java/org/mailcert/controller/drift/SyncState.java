package org.mailcert.controller.drift;

import java.util.Locale;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.RunOutcome;

/**
 * Where a host stands, judged in one place ({@link #of}) for host views, the fleet status and the
 * metrics. Expiring certificates and uncovered domains are shown apart and never make a host
 * drifting.
 */
public enum SyncState {
    /** Nothing outstanding: the agent applied what it was sent and reports no drift. */
    IN_SYNC,
    /** The agent reports drift it did not repair, or is behind while disconnected. */
    DRIFTING,
    /** The agent refused the last update or its last drift cycle failed. */
    FAILING,
    /** No agent yet, or it has neither acknowledged a state nor sent a report. */
    PENDING,
    /** Cut off by an admin. */
    REVOKED;

    /** The name used in the API, metrics and CLI: {@code in_sync}, {@code drifting}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The state of a host, the first of these that holds:
     * <ol>
     *   <li>{@code revoked}: an admin revoked it;</li>
     *   <li>{@code pending}: no agent has enrolled yet;</li>
     *   <li>{@code failing}: its agent's last answer to an update was a Nack (the last error is
     *       set until an Ack), or its last drift report's outcome is {@code FAILED};</li>
     *   <li>{@code pending}: its agent has neither acknowledged a state nor sent a drift report;</li>
     *   <li>{@code drifting}: its last drift report has an item that {@linkplain DriftItem#drifting()
     *       counts as drift} (would change, repair failed, or reported with a reason other than
     *       {@code Expiring} and {@code DomainUncovered}), or its applied version is behind the
     *       desired one while its agent is not connected (a connected agent is simply being sent the
     *       update, and a refusal makes it failing);</li>
     *   <li>{@code in_sync} otherwise.</li>
     * </ol>
     *
     * @param desiredVersion the version the host should be at
     * @param connected      whether its agent has a live stream now
     */
    public static SyncState of(Host host, HostStatus status, long desiredVersion, boolean connected) {
        if (host.state() == HostState.REVOKED) {
            return REVOKED;
        }
        if (host.state() == HostState.PENDING_ENROLLMENT) {
            return PENDING;
        }
        if (!status.lastError().isEmpty()
                || status.lastReport().map(r -> r.outcome() == RunOutcome.FAILED).orElse(false)) {
            return FAILING;
        }
        if (status.appliedVersion() == 0 && status.lastReport().isEmpty()) {
            return PENDING;
        }
        boolean drift = status.lastReport().map(r -> r.items().stream().anyMatch(DriftItem::drifting)).orElse(false);
        if (drift || (!connected && status.appliedVersion() < desiredVersion)) {
            return DRIFTING;
        }
        return IN_SYNC;
    }
}
