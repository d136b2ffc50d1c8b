package org.mailcert.controller.drift;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.Names;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.sync.DesiredStates;

/**
 * The fleet as agents last reported it: the status overview, every drift item, the certificates
 * about to end. Revoked hosts are counted as such and otherwise left out: their agents no longer
 * report, so their drift and their bindings' certificates are nobody's concern.
 */
public final class DriftService {
    /** The expiry window when none is asked for. */
    public static final Duration DEFAULT_WITHIN = Duration.ofDays(30);
    /** The longest expiry window accepted: ten years. */
    public static final Duration MAX_WITHIN = Duration.ofDays(3650);

    private final Store store;
    private final Predicate<String> connected;
    private final Clock clock;

    /** @param connected tells whether a host's agent has a live stream now */
    public DriftService(Store store, Predicate<String> connected, Clock clock) {
        this.store = store;
        this.connected = connected;
        this.clock = clock;
    }

    /** Hosts by sync state, connections, outstanding drift by reason, and certificates ending within the window. */
    public FleetStatus status(Duration within) throws ControllerException {
        Duration window = window(within);
        FleetSnapshot s = snapshot();
        return new FleetStatus(s.hosts().size(), s.connected(), s.countByState(), s.driftByReason(),
                expiring(s.expiring(window), s.now()), window);
    }

    /**
     * The items of the last drift report of one host, or of every host that is not revoked when
     * {@code hostName} is empty; sorted by host, subject, reason and target.
     */
    public List<HostDrift> drift(String hostName) throws ControllerException {
        List<Host> hosts;
        if (hostName == null || hostName.isEmpty()) {
            hosts = store.hosts().stream().filter(h -> h.state() != HostState.REVOKED).toList();
        } else {
            String fqdn = Names.host(hostName);
            hosts = List.of(store.host(fqdn).orElseThrow(() -> ControllerException.notFound("no host " + fqdn
                    + "; see `mailcert host list`")));
        }
        List<HostDrift> out = new ArrayList<>();
        for (Host h : hosts) {
            HostStatus status = store.hostStatus(h.fqdn());
            if (status.lastReport().isEmpty()) {
                continue;
            }
            DriftReport report = status.lastReport().get();
            Instant received = status.reportReceived().orElseThrow();
            report.items().stream().sorted(DriftItem.ORDER)
                    .forEach(i -> out.add(new HostDrift(h.fqdn(), i, report.mode(), received)));
        }
        return out;
    }

    /** The bound certificates ending within the window (or ended), soonest first. */
    public List<ExpiringCertificate> expiring(Duration within) throws ControllerException {
        Duration window = window(within);
        Instant now = clock.instant();
        List<BoundCertificate> bound = bound(store.hosts(), byHost(), new Certificates(store));
        return expiring(FleetSnapshot.endingBy(bound, now.plus(window)), now);
    }

    /**
     * Every host with its status and sync state, and every bound certificate, read in one pass:
     * all bindings once, each host's status once, each certificate name once.
     */
    public FleetSnapshot snapshot() {
        Instant now = clock.instant();
        Map<String, List<Binding>> byHost = byHost();
        Certificates certificates = new Certificates(store);
        List<Host> hosts = store.hosts();
        List<HostSummary> summaries = new ArrayList<>(hosts.size());
        for (Host h : hosts) {
            List<Binding> bindings = byHost.getOrDefault(h.fqdn(), List.of());
            HostStatus status = store.hostStatus(h.fqdn());
            long desired = DesiredStates.version(h, bindings, certificates::revision);
            boolean live = connected.test(h.fqdn());
            summaries.add(new HostSummary(h, status, desired, live, SyncState.of(h, status, desired, live)));
        }
        return new FleetSnapshot(now, summaries, bound(hosts, byHost, certificates));
    }

    /**
     * The expiry window to use for {@code within}: zero means {@link #DEFAULT_WITHIN}; a negative one
     * or one beyond {@link #MAX_WITHIN} is refused.
     */
    public static Duration window(Duration within) throws ControllerException {
        if (within == null || within.isZero()) {
            return DEFAULT_WITHIN;
        }
        if (within.isNegative() || within.compareTo(MAX_WITHIN) > 0) {
            throw ControllerException.invalid("the expiry window must be positive and at most "
                    + MAX_WITHIN.toDays() + " days, e.g. 30d; got " + within.toSeconds() + " seconds");
        }
        return within;
    }

    private Map<String, List<Binding>> byHost() {
        Map<String, List<Binding>> byHost = new HashMap<>();
        for (Binding b : store.bindings()) {
            byHost.computeIfAbsent(b.key().host(), h -> new ArrayList<>()).add(b);
        }
        return byHost;
    }

    private static List<BoundCertificate> bound(List<Host> hosts, Map<String, List<Binding>> byHost,
            Certificates certificates) {
        Map<String, TreeSet<String>> users = new TreeMap<>();
        for (Host h : hosts) {
            if (h.state() != HostState.REVOKED) {
                byHost.getOrDefault(h.fqdn(), List.of())
                        .forEach(b -> users.computeIfAbsent(b.certificate(), n -> new TreeSet<>()).add(h.fqdn()));
            }
        }
        List<BoundCertificate> out = new ArrayList<>();
        users.forEach((name, names) -> certificates.latest(name).ifPresent(v -> out.add(new BoundCertificate(name,
                v.version(), Fingerprints.sha256Hex(v.leaf()), v.leaf().getNotAfter().toInstant(),
                List.copyOf(names)))));
        return out;
    }

    private static List<ExpiringCertificate> expiring(List<BoundCertificate> certificates, Instant now) {
        return certificates.stream().map(c -> new ExpiringCertificate(c, c.daysLeft(now))).toList();
    }

    /** Newest versions by name, each read from the store once. */
    private static final class Certificates {
        private final Store store;
        private final Map<String, Optional<CertificateVersion>> latest = new HashMap<>();

        Certificates(Store store) {
            this.store = store;
        }

        Optional<CertificateVersion> latest(String name) {
            return latest.computeIfAbsent(name, store::certificate);
        }

        long revision(String name) {
            return latest(name).map(CertificateVersion::revision).orElse(0L);
        }
    }
}
