package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mail server with (or awaiting) an enrolled agent, keyed by its normalised FQDN.
 *
 * @param revision store revision at which this record was last written
 */
public record Host(
        String fqdn,
        String id,
        HostState state,
        Instant created,
        Optional<Instant> lastSeen,
        Map<String, String> labels,
        HostFacts facts,
        List<String> discoveredDomains,
        long appliedVersion,
        long revision) {

    public Host {
        labels = Map.copyOf(labels);
        discoveredDomains = List.copyOf(discoveredDomains);
    }

    /** This host as written at {@code revision}. */
    public Host withRevision(long revision) {
        return new Host(fqdn, id, state, created, lastSeen, labels, facts, discoveredDomains, appliedVersion, revision);
    }

    /** A host just declared by an admin, waiting for its agent. */
    public static Host pending(String fqdn, String id, Instant created) {
        return new Host(fqdn, id, HostState.PENDING_ENROLLMENT, created, Optional.empty(), Map.of(),
                HostFacts.UNKNOWN, List.of(), 0, 0);
    }
}
