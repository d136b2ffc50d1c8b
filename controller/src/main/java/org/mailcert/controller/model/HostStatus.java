package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a host's agent last reported: its facts, the version it applied, the domains it found, its
 * last refusal and its last drift report. Written without moving the store revision.
 *
 * @param appliedVersion version of the last desired state the agent acknowledged
 * @param lastError      the message of the last Nack, empty after an Ack
 * @param lastReport     the agent's last drift report, as received
 * @param reportReceived when the controller received {@code lastReport}; present exactly when it is
 */
public record HostStatus(
        String fqdn,
        Optional<Instant> lastSeen,
        HostFacts facts,
        List<String> discoveredDomains,
        long appliedVersion,
        String lastError,
        Optional<DriftReport> lastReport,
        Optional<Instant> reportReceived) {

    public HostStatus {
        discoveredDomains = List.copyOf(discoveredDomains);
        if (lastReport.isPresent() != reportReceived.isPresent()) {
            throw new IllegalArgumentException("a drift report needs the time it was received,"
                    + " and only a report has one");
        }
    }

    /** A status without a drift report. */
    public HostStatus(String fqdn, Optional<Instant> lastSeen, HostFacts facts, List<String> discoveredDomains,
            long appliedVersion, String lastError) {
        this(fqdn, lastSeen, facts, discoveredDomains, appliedVersion, lastError, Optional.empty(), Optional.empty());
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
        return new HostStatus(fqdn, Optional.of(time), newFacts, newFacts.domains(), appliedVersion, lastError,
                lastReport, reportReceived);
    }

    /** This status after an Ack of {@code version}. */
    public HostStatus applied(Instant time, long version) {
        return new HostStatus(fqdn, Optional.of(time), facts, discoveredDomains, version, "", lastReport,
                reportReceived);
    }

    /** This status after a Nack. */
    public HostStatus refused(Instant time, String error) {
        return new HostStatus(fqdn, Optional.of(time), facts, discoveredDomains, appliedVersion, error, lastReport,
                reportReceived);
    }

    /** This status with a drift report received at {@code time}. */
    public HostStatus reported(Instant time, DriftReport report) {
        return new HostStatus(fqdn, Optional.of(time), facts, discoveredDomains, appliedVersion, lastError,
                Optional.of(report), Optional.of(time));
    }
}
