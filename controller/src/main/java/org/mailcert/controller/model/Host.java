package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One mail server of the fleet as admins declared it, keyed by its normalised FQDN. What its agent
 * reports (facts, applied version) lives apart, in {@link HostStatus}, so reports never move the
 * desired-state revision.
 *
 * @param agentSerials serial numbers (hex) of the client certificates its agent may use: the
 *                     current one and, during a renewal, the next one
 * @param revision     store revision at which this record was last written
 */
public record Host(
        String fqdn,
        String id,
        HostState state,
        Instant created,
        Map<String, String> labels,
        List<String> agentSerials,
        long revision) {

    public Host {
        labels = Map.copyOf(labels);
        agentSerials = List.copyOf(agentSerials);
    }

    /** This host as written at {@code revision}. */
    public Host withRevision(long revision) {
        return new Host(fqdn, id, state, created, labels, agentSerials, revision);
    }

    /** This host in another state with the given agent certificate serials, written at {@code revision}. */
    public Host with(HostState newState, List<String> serials, long revision) {
        return new Host(fqdn, id, newState, created, labels, serials, revision);
    }

    /** A host just declared by an admin, waiting for its agent. */
    public static Host pending(String fqdn, String id, Instant created) {
        return new Host(fqdn, id, HostState.PENDING_ENROLLMENT, created, Map.of(), List.of(), 0);
    }
}
