package org.mailcert.controller.drift;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The fleet overview behind {@code mailcert status}.
 *
 * @param connected     hosts (not revoked) whose agent has a live stream
 * @param byState       hosts per sync state; every state is a key
 * @param driftByReason outstanding drift items by reason
 * @param expiring      bound certificates ending within {@code within}, soonest first
 */
public record FleetStatus(int hosts, int connected, Map<SyncState, Integer> byState, Map<String, Integer> driftByReason,
        List<ExpiringCertificate> expiring, Duration within) {
    /** Copies the collections. */
    public FleetStatus {
        byState = Map.copyOf(byState);
        driftByReason = Map.copyOf(driftByReason);
        expiring = List.copyOf(expiring);
    }
}
