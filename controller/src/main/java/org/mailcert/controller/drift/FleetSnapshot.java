package org.mailcert.controller.drift;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mailcert.controller.model.DriftItem;

/**
 * The whole fleet at one moment, read from the store in one pass: what the fleet status and the
 * metrics are computed from.
 *
 * @param hosts        every host, sorted by FQDN
 * @param certificates every bound certificate name's newest version, sorted by name
 */
public record FleetSnapshot(Instant now, List<HostSummary> hosts, List<BoundCertificate> certificates) {
    /** Copies the lists. */
    public FleetSnapshot {
        hosts = List.copyOf(hosts);
        certificates = List.copyOf(certificates);
    }

    /** How many hosts are in each sync state; every state is a key. */
    public Map<SyncState, Integer> countByState() {
        Map<SyncState, Integer> counts = new EnumMap<>(SyncState.class);
        for (SyncState s : SyncState.values()) {
            counts.put(s, 0);
        }
        hosts.forEach(h -> counts.merge(h.state(), 1, Integer::sum));
        return counts;
    }

    /** How many hosts (not revoked) have a live agent stream. */
    public int connected() {
        return (int) hosts.stream().filter(h -> h.connected() && h.state() != SyncState.REVOKED).count();
    }

    /**
     * Outstanding (not repaired) drift items of the hosts that are not revoked, by reason, sorted by
     * reason; expiring certificates and uncovered domains included.
     */
    public Map<String, Integer> driftByReason() {
        Map<String, Integer> counts = new TreeMap<>();
        for (HostSummary h : hosts) {
            if (h.state() != SyncState.REVOKED) {
                h.status().lastReport().ifPresent(r -> r.items().stream().filter(DriftItem::outstanding)
                        .forEach(i -> counts.merge(i.reason(), 1, Integer::sum)));
            }
        }
        return counts;
    }

    /**
     * The bound certificates that end within {@code within} from {@code now} (or have ended),
     * soonest first, then by name.
     */
    public List<BoundCertificate> expiring(Duration within) {
        return endingBy(certificates, now.plus(within));
    }

    /** Those of {@code certificates} that end by {@code limit}, soonest first, then by name. */
    static List<BoundCertificate> endingBy(List<BoundCertificate> certificates, Instant limit) {
        return certificates.stream().filter(c -> !c.notAfter().isAfter(limit))
                .sorted(Comparator.comparing(BoundCertificate::notAfter).thenComparing(BoundCertificate::name))
                .toList();
    }
}
