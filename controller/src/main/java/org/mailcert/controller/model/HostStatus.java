package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a host's agent last reported: its facts, the version it applied, the domains it found, and
 * its last refusal. Written without moving the store revision.
 *
 * @param appliedVersion version of the last desired state the agent acknowledged
 * @param lastError      the message of the last Nack, empty after an Ack
 */
public record HostStatus(
        String fqdn,
        Optional<Instant> lastSeen,
        HostFacts facts,
        List<String> discoveredDomains,
        long appliedVersion,
        String lastError) {

    public HostStatus {
        discoveredDomains = List.copyOf(discoveredDomains);
    }

    /** The status of a host no agent has reported for. */
    public static HostStatus unknown(String fqdn) {
        return new HostStatus(fqdn, Optional.empty(), HostFacts.UNKNOWN, List.of(), 0, "");
    }

    /**
     * This status seen at {@code time} with the given facts; the discovered domains become those the
     * facts report (an agent reports every domain it finds each time it connects).
     */
    public HostStatus seen(Instant time, HostFacts newFacts) {
        return new HostStatus(fqdn, Optional.of(time), newFacts, newFacts.domains(), appliedVersion, lastError);
    }

    /** This status after an Ack of {@code version}. */
    public HostStatus applied(Instant time, long version) {
        return new HostStatus(fqdn, Optional.of(time), facts, discoveredDomains, version, "");
    }

    /** This status after a Nack. */
    public HostStatus refused(Instant time, String error) {
        return new HostStatus(fqdn, Optional.of(time), facts, discoveredDomains, appliedVersion, error);
    }
}
